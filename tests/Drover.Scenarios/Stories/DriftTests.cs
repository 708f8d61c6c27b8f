using System.Text.Json.Nodes;
using Drover.Operator.Cluster;
using Drover.Operator.Hosting;
using Drover.Scenarios.Support;
using Xunit.Abstractions;

namespace Drover.Scenarios.Stories;

/// <summary>What others do to an agent's children: the operator restores what it owns and leaves the rest alone.</summary>
public sealed class DriftTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_deleted_child_is_recreated()
    {
        await using var scenario = await OperatorScenario.WithSamplesAsync(output);
        await scenario.WaitForAgentAsync("echo", "True", "Available");
        var before = await scenario.GetAsync(OperatorKinds.Deployments, "echo");
        var service = await scenario.GetAsync(OperatorKinds.Services, "echo");

        await scenario.DeleteAsync(OperatorKinds.Deployments, "echo");
        await scenario.DeleteAsync(OperatorKinds.Services, "echo");

        await scenario.WaitForAsync(OperatorKinds.Deployments, "echo", d => d.Metadata.Uid != before!.Metadata.Uid, "recreated");
        await scenario.WaitForAsync(OperatorKinds.Services, "echo", s => s.Metadata.Uid != service!.Metadata.Uid, "recreated");
        await scenario.WaitForAgentAsync("echo", "True", "Available");
    }

    [Fact]
    public async Task An_edited_owned_field_is_restored()
    {
        await using var scenario = await OperatorScenario.WithSamplesAsync(output);
        await scenario.WaitForAgentAsync("echo", "True", "Available");

        await scenario.Client.SendJsonAsync(
            HttpMethod.Patch,
            OperatorKinds.Deployments.ObjectPath("default", "echo") + "?fieldManager=kubectl-edit",
            JsonNode.Parse("""{"spec":{"replicas":5,"template":{"spec":{"containers":[{"name":"agent","image":"ghcr.io/someone/else:latest"}]}}}}"""),
            "application/strategic-merge-patch+json",
            CancellationToken.None);

        var restored = await scenario.WaitForAsync(
            OperatorKinds.Deployments,
            "echo",
            d => d.Spec.Replicas == 1 && d.Spec.Template.Spec.Containers.Single().Image == "ghcr.io/drover-dev/echo-agent:0.1.0",
            "replicas and image restored");
        Assert.Equal("agent", restored.Spec.Template.Spec.Containers.Single().Name);
    }

    [Fact]
    public async Task An_annotation_added_by_someone_else_survives_and_causes_no_writes()
    {
        await using var scenario = await OperatorScenario.WithSamplesAsync(output);
        await scenario.WaitForAgentAsync("echo", "True", "Available");
        await Quiet.SettleAsync(scenario);
        scenario.Server.Requests.Reset();

        // What `kubectl rollout restart deployment/echo` sends.
        await scenario.Client.SendJsonAsync(
            HttpMethod.Patch,
            OperatorKinds.Deployments.ObjectPath("default", "echo") + "?fieldManager=kubectl-rollout",
            JsonNode.Parse("""{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-01-01T00:00:00Z"}}}}}"""),
            "application/strategic-merge-patch+json",
            CancellationToken.None);
        await scenario.WaitForAgentAsync("echo", "True", "Available");
        var counts = await Quiet.AssertAsync(scenario);

        var deployment = await scenario.GetAsync(OperatorKinds.Deployments, "echo");
        Assert.Equal("2026-01-01T00:00:00Z", deployment!.Spec.Template.Metadata.Annotations["kubectl.kubernetes.io/restartedAt"]);
        Assert.Equal(1, counts.GetValueOrDefault(("patch", "deployments"))); // the restart itself, none from the operator
    }
}
