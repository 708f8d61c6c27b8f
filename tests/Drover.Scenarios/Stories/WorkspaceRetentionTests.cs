using Drover.Operator.Cluster;
using Drover.Scenarios.Support;
using Xunit.Abstractions;

namespace Drover.Scenarios.Stories;

/// <summary>An agent's workspace is its memory: it outlives the Agent unless the Agent says it goes with it.</summary>
public sealed class WorkspaceRetentionTests(ITestOutputHelper output)
{
    private static string Inputs(string storage) =>
        Manifests.Secret("openai-key", "api-key", "sk-1") + "\n---\n" + Manifests.OpenAIProvider("openai", "openai-key") + "\n---\n"
        + Manifests.Agent("a", "openai", extra: "  storage: " + storage);

    [Fact]
    public async Task Deleting_an_Agent_keeps_its_workspace_by_default_and_an_Agent_of_the_same_name_runs_on_the_same_volume()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        await scenario.ApplyYamlAsync(Inputs("{size: 1Gi}"));
        await scenario.StartOperatorAsync();
        await scenario.WaitForAgentAsync("a", "True", "Available");
        var claim = await scenario.WaitForAsync(OperatorKinds.PersistentVolumeClaims, "a-workspace", c => !string.IsNullOrEmpty(c.Spec.VolumeName), "bound");

        await scenario.DeleteAsync(OperatorKinds.Agents, "a");

        // The garbage collector has removed what the Agent owned; the workspace is not among it.
        await Eventually.TrueAsync(async () => await scenario.GetAsync(OperatorKinds.Deployments, "a") is null, "the Deployment to be collected with its Agent");
        var kept = await scenario.GetAsync(OperatorKinds.PersistentVolumeClaims, "a-workspace");
        Assert.NotNull(kept);
        Assert.Null(kept.Metadata.DeletionTimestamp);
        Assert.Equal(claim.Metadata.Uid, kept.Metadata.Uid);

        await scenario.ApplyYamlAsync(Inputs("{size: 1Gi}"));

        await scenario.WaitForAgentAsync("a", "True", "Available");
        var reused = await scenario.GetAsync(OperatorKinds.PersistentVolumeClaims, "a-workspace");
        Assert.Equal((claim.Metadata.Uid, claim.Spec.VolumeName), (reused!.Metadata.Uid, reused.Spec.VolumeName));
        var deployment = await scenario.GetAsync(OperatorKinds.Deployments, "a");
        Assert.Contains(deployment!.Spec.Template.Spec.Volumes, v => v.PersistentVolumeClaim?.ClaimName == "a-workspace");
    }

    [Fact]
    public async Task A_workspace_whenDeleted_Delete_goes_with_its_Agent()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        await scenario.ApplyYamlAsync(Inputs("{size: 1Gi, whenDeleted: Delete}"));
        await scenario.StartOperatorAsync();
        await scenario.WaitForAgentAsync("a", "True", "Available");
        Assert.NotNull(await scenario.GetAsync(OperatorKinds.PersistentVolumeClaims, "a-workspace"));

        await scenario.DeleteAsync(OperatorKinds.Agents, "a");

        await Eventually.TrueAsync(async () => await scenario.GetAsync(OperatorKinds.PersistentVolumeClaims, "a-workspace") is null, "the workspace claim to be deleted with its Agent");
    }

    [Fact]
    public async Task Switching_whenDeleted_gives_the_claim_to_the_Agent_and_takes_it_back()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        await scenario.ApplyYamlAsync(Inputs("{size: 1Gi}"));
        await scenario.StartOperatorAsync();
        await scenario.WaitForAgentAsync("a", "True", "Available");
        var agent = await scenario.GetAsync(OperatorKinds.Agents, "a");

        await scenario.ApplyYamlAsync(Inputs("{size: 1Gi, whenDeleted: Delete}"));
        await scenario.WaitForAsync(
            OperatorKinds.PersistentVolumeClaims,
            "a-workspace",
            c => c.Metadata.OwnerReferences?.SingleOrDefault() is { Controller: true } owner && owner.Uid == agent!.Metadata.Uid,
            "owned by its Agent");

        await scenario.ApplyYamlAsync(Inputs("{size: 1Gi, whenDeleted: Retain}"));
        await scenario.WaitForAsync(OperatorKinds.PersistentVolumeClaims, "a-workspace", c => c.Metadata.OwnerReferences is null or { Count: 0 }, "owned by nothing");
        await scenario.DeleteAsync(OperatorKinds.Agents, "a");
        await Eventually.TrueAsync(async () => await scenario.GetAsync(OperatorKinds.Deployments, "a") is null, "the Deployment to be collected with its Agent");
        Assert.NotNull(await scenario.GetAsync(OperatorKinds.PersistentVolumeClaims, "a-workspace"));
    }

    [Fact]
    public async Task A_claim_that_is_not_the_agents_workspace_is_never_adopted()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        await scenario.Client.SendJsonAsync(
            HttpMethod.Post,
            "/api/v1/namespaces/default/persistentvolumeclaims",
            System.Text.Json.Nodes.JsonNode.Parse("""
                {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                 "metadata": {"name": "a-workspace", "labels": {"app.kubernetes.io/managed-by": "drover", "app.kubernetes.io/name": "other", "app.kubernetes.io/instance": "other", "app.kubernetes.io/component": "agent"}},
                 "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}
                """),
            "application/json",
            CancellationToken.None);
        await scenario.ApplyYamlAsync(Inputs("{size: 1Gi}"));
        await scenario.StartOperatorAsync();

        await scenario.WaitForAgentAsync("a", "False", "NameConflict");
    }
}
