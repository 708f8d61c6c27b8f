using System.Text.Json.Nodes;
using Drover.Api.V1Alpha1;
using Drover.Operator.Cluster;
using Drover.Operator.Hosting;
using Drover.Operator.Rollouts;
using Drover.Scenarios.Support;
using Xunit.Abstractions;

namespace Drover.Scenarios.Stories;

/// <summary>Rollout slots go only to rollouts the operator paced, so nothing else can wedge a key rotation.</summary>
public sealed class RolloutSlotTests(ITestOutputHelper output)
{
    private const string CrashingImage = "ghcr.io/drover-dev/crashing-agent";

    private static string World() => string.Join("\n---\n", new[]
    {
        Manifests.Secret("openai-key", "api-key", "sk-old"),
        Manifests.Secret("groq-key", "api-key", "gsk-old"),
        Manifests.OpenAIProvider("openai", "openai-key"),
        Manifests.GroqProvider("groq", "groq-key"),
        Manifests.Agent("troubled", "groq", model: null).Replace("ghcr.io/drover-dev/echo-agent:0.1.0", CrashingImage + ":1", StringComparison.Ordinal),
        Manifests.Agent("rotating", "openai"),
    });

    [Fact]
    public async Task A_Deployment_that_lost_a_pod_after_its_rollout_holds_no_rollout_slot()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        await scenario.ApplyYamlAsync(World());
        await scenario.StartOperatorAsync(new RunOptions { Workers = 2, MaxConcurrentRollouts = 1 });
        await scenario.WaitForAgentAsync("troubled", "True", "Available");
        var before = await scenario.WaitForAgentAsync("rotating", "True", "Available");

        // The troubled agent's pod dies and its replacement crash-loops: its Deployment is one pod short, long after
        // its rollout finished.
        scenario.Server.Images.Crash(CrashingImage);
        await DeletePodsAsync(scenario, "troubled");
        await scenario.WaitForAsync(OperatorKinds.Deployments, "troubled", d => (d.Status?.AvailableReplicas ?? 0) == 0, "one pod short");

        await scenario.ApplyYamlAsync(Manifests.Secret("openai-key", "api-key", "sk-new"));
        await scenario.WaitForAsync(
            OperatorKinds.Agents,
            "rotating",
            a => a.Status?.ConfigHash != before.Status!.ConfigHash && OperatorScenario.HasCondition(a.Status?.Conditions, a.Metadata.Generation, a.Status?.ObservedGeneration, "True", "Available"),
            "rolled to the new key while the other agent is a pod short");
        var troubled = await scenario.GetAsync(OperatorKinds.Deployments, "troubled");
        Assert.Equal(0, troubled!.Status?.AvailableReplicas ?? 0);
    }

    [Fact]
    public async Task An_agent_waiting_for_a_slot_keeps_the_Secret_its_pods_run_with_until_its_turn()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        await scenario.ApplyYamlAsync(World());
        await scenario.StartOperatorAsync(new RunOptions { Workers = 2, MaxConcurrentRollouts = 1 });
        var troubled = await scenario.WaitForAgentAsync("troubled", "True", "Available");
        await scenario.WaitForAgentAsync("rotating", "True", "Available");

        // The troubled agent's paced rollout never becomes available, so it holds the only slot (until its deadline).
        scenario.Server.Images.Crash(CrashingImage);
        await scenario.ApplyYamlAsync(Manifests.Secret("groq-key", "api-key", "gsk-new"));
        await scenario.WaitForAsync(
            OperatorKinds.Deployments,
            "troubled",
            d => d.Spec.Template.Metadata.Annotations["drover.dev/config-hash"] != troubled.Status!.ConfigHash,
            "rolling to the new key");

        await scenario.ApplyYamlAsync(Manifests.Secret("openai-key", "api-key", "sk-new"));
        await scenario.WaitForAgentAsync("rotating", "True", RolloutReasons.RolloutPending);
        await Quiet.SettleAsync(scenario);
        var secret = await scenario.GetAsync(OperatorKinds.Secrets, "rotating-config");
        Assert.Equal("sk-old", System.Text.Encoding.UTF8.GetString(secret!.Data["api-key.default.openai"]));

        // The slot is freed when the troubled agent is deleted; then the Secret and the Deployment move together.
        await scenario.DeleteAsync(OperatorKinds.Agents, "troubled");
        await scenario.WaitForAgentAsync("rotating", "True", "Available");
        secret = await scenario.GetAsync(OperatorKinds.Secrets, "rotating-config");
        Assert.Equal("sk-new", System.Text.Encoding.UTF8.GetString(secret!.Data["api-key.default.openai"]));
    }

    private static async Task DeletePodsAsync(OperatorScenario scenario, string agent)
    {
        var selector = Uri.EscapeDataString($"app.kubernetes.io/instance={agent}");
        var pods = await scenario.Client.SendJsonAsync(HttpMethod.Get, $"/api/v1/namespaces/default/pods?labelSelector={selector}", null, "application/json", CancellationToken.None);
        var names = (pods?["items"]?.AsArray() ?? []).OfType<JsonObject>().Select(p => (string)p["metadata"]!["name"]!).ToList();
        Assert.NotEmpty(names);
        foreach (var name in names)
        {
            await scenario.Client.SendJsonAsync(HttpMethod.Delete, $"/api/v1/namespaces/default/pods/{name}", null, "application/json", CancellationToken.None);
        }
    }
}
