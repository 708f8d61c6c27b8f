using System.Text.Json;
using System.Text.Json.Nodes;
using Drover.Api.Scheduling;
using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Apply;
using Drover.Operator;
using Drover.Operator.Children;
using Drover.Operator.Cluster;
using Drover.Operator.Hosting;
using Drover.Operator.Rendering;
using Drover.Operator.Resolution;
using Drover.Scenarios.Support;
using k8s.Models;
using Xunit.Abstractions;

namespace Drover.Scenarios.Stories;

/// <summary>The samples applied to an empty cluster: everything becomes Ready, with exactly the children DESIGN.md lists.</summary>
public sealed class SampleConvergenceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Samples_become_ready_with_the_children_the_design_promises()
    {
        await using var scenario = await OperatorScenario.WithSamplesAsync(output);

        var agent = await scenario.WaitForAgentAsync("echo", "True", "Available");
        var schedule = await scenario.WaitForScheduleAsync("morning-summary", "True", "Scheduled");
        await scenario.WaitForProviderAsync("openai", "True", "Resolved");
        await scenario.WaitForProviderAsync("ollama", "True", "Resolved");

        // Agent status: the resolved chain, the scale selector and the hash its pods run with.
        Assert.Equal("default/openai", agent.Status!.Model!.Primary!.Provider);
        Assert.Equal("gpt-4o-mini", agent.Status.Model.Primary.Model);
        Assert.Equal("http://ollama.default.svc:11434", Assert.Single(agent.Status.Model.Fallbacks!).Endpoint);
        Assert.Equal(1, agent.Status.ReadyReplicas);
        Assert.Contains("app.kubernetes.io/instance=echo", agent.Status.Selector, StringComparison.Ordinal);
        Assert.True(Conditions.IsTrue(agent.Status.Conditions, ConditionTypes.ModelResolved));

        // Children of the agent: ServiceAccount, Secret, Deployment, Service (port), NetworkPolicy (Restricted); no PVC.
        var deployment = await scenario.GetAsync(OperatorKinds.Deployments, "echo");
        Assert.NotNull(await scenario.GetAsync(OperatorKinds.ServiceAccounts, "echo"));
        Assert.NotNull(await scenario.GetAsync(OperatorKinds.Secrets, "echo-config"));
        Assert.NotNull(await scenario.GetAsync(OperatorKinds.Services, "echo"));
        Assert.NotNull(await scenario.GetAsync(OperatorKinds.NetworkPolicies, "echo"));
        Assert.Empty(await scenario.ListAsync(OperatorKinds.PersistentVolumeClaims));
        Assert.Equal(agent.Status.ConfigHash, deployment!.Spec.Template.Metadata.Annotations[ChildLabels.ConfigHashAnnotation]);
        foreach (var child in new k8s.IKubernetesObject<V1ObjectMeta>[]
        {
            deployment,
            (await scenario.GetAsync(OperatorKinds.Secrets, "echo-config"))!,
            (await scenario.GetAsync(OperatorKinds.ServiceAccounts, "echo"))!,
        })
        {
            var owner = Assert.Single(child.Metadata.OwnerReferences);
            Assert.True(owner.Controller);
            Assert.Equal(agent.Metadata.Uid, owner.Uid);
            Assert.Equal("drover", child.Metadata.Labels[ChildLabels.ManagedBy]);
            Assert.Equal("echo", child.Metadata.Labels[ChildLabels.Name]);
        }

        // The schedule's CronJob, owned by the schedule, and the next run at 07:30 Berlin time.
        var cronJob = await scenario.GetAsync(OperatorKinds.CronJobs, "morning-summary");
        Assert.Equal(schedule.Metadata.Uid, Assert.Single(cronJob!.Metadata.OwnerReferences).Uid);
        Assert.Equal("Europe/Berlin", cronJob.Spec.TimeZone);
        var next = schedule.Status!.NextScheduleTime!.Value;
        var expected = ScheduleTimes.Next("30 7 * * *", "Europe/Berlin", DateTimeOffset.UtcNow.AddMinutes(-1))!.Value;
        Assert.Equal(expected.UtcDateTime, DateTime.SpecifyKind(next, DateTimeKind.Utc));
        TimeZones.TryFind("Europe/Berlin", out var berlin, out _);
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(next, DateTimeKind.Utc), berlin);
        Assert.Equal((7, 30), (local.Hour, local.Minute));
    }

    [Fact]
    public async Task Every_child_in_the_cluster_is_what_drover_render_prints_for_the_samples()
    {
        await using var scenario = await OperatorScenario.WithSamplesAsync(output);
        await scenario.WaitForAgentAsync("echo", "True", "Available");
        await scenario.WaitForScheduleAsync("morning-summary", "True", "Scheduled");

        var cluster = new InMemoryCluster();
        var problems = ManifestLoader.Load([Repository.Path("config", "samples")], "default", cluster);
        Assert.Empty(problems);
        var rendered = Renderer.Render(cluster, OperatorOptions.Default);
        var children = rendered.Objects.Where(o => o.Metadata.OwnerReferences is { Count: > 0 }).ToList();
        Assert.Equal(
            ["CronJob/morning-summary", "Deployment/echo", "NetworkPolicy/echo", "Secret/echo-config", "Service/echo", "ServiceAccount/echo"],
            children.Select(c => $"{c.Kind}/{c.Metadata.Name}").Order(StringComparer.Ordinal));
        foreach (var child in children)
        {
            var live = await scenario.Client.SendJsonAsync(
                HttpMethod.Get,
                PathOf(child.ApiVersion, child.Kind, child.Metadata.Name),
                null,
                "application/json",
                CancellationToken.None);
            // What the builders made from the files, owner reference (without the uid a file cannot know) included.
            var desired = KubeObjectJson.ToJson(child);

            // The one value an offline render cannot know: the operator keys secret values into the config hash with a
            // key only it holds. The live pods carry the operator's hash, which the other story checks against status.
            var template = child.Kind == "CronJob" ? desired["spec"]?["jobTemplate"]?["spec"]?["template"] : desired["spec"]?["template"];
            var liveTemplate = child.Kind == "CronJob" ? live?["spec"]?["jobTemplate"]?["spec"]?["template"] : live?["spec"]?["template"];
            if (template?["metadata"]?["annotations"] is JsonObject podAnnotations && podAnnotations.Remove(ChildLabels.ConfigHashAnnotation))
            {
                Assert.False(string.IsNullOrEmpty((string?)liveTemplate?["metadata"]?["annotations"]?[ChildLabels.ConfigHashAnnotation]));
            }

            Assert.True(JsonSubset.IsSubsetOf(desired, live), $"{child.Kind} {child.Metadata.Name} in the cluster differs from the render:\n{desired}\n---\n{live}");
        }
    }

    private static string PathOf(string apiVersion, string kind, string name)
    {
        var root = apiVersion.Contains('/', StringComparison.Ordinal) ? $"/apis/{apiVersion}" : $"/api/{apiVersion}";
        var plural = kind.ToLowerInvariant() switch
        {
            "networkpolicy" => "networkpolicies",
            "persistentvolumeclaim" => "persistentvolumeclaims",
            var k => k + "s",
        };
        return $"{root}/namespaces/default/{plural}/{name}";
    }
}
