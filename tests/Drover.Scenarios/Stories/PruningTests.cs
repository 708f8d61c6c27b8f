using Drover.Operator.Cluster;
using Drover.Operator.Hosting;
using Drover.Scenarios.Support;
using Xunit.Abstractions;

namespace Drover.Scenarios.Stories;

/// <summary>Children the spec stops asking for go away; the rest stay.</summary>
public sealed class PruningTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Removing_port_storage_and_restricted_egress_removes_the_Service_PVC_and_NetworkPolicy()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        await scenario.ApplyYamlAsync(Manifests.Secret("openai-key", "api-key", "sk-1") + "\n---\n" + Manifests.OpenAIProvider("openai", "openai-key") + "\n---\n"
            + Manifests.Agent("a", "openai", extra: "  port: 8080\n  storage: {size: 1Gi, whenDeleted: Delete}\n  network: {egress: Restricted}"));
        await scenario.StartOperatorAsync();
        await scenario.WaitForAgentAsync("a", "True", "Available");
        Assert.NotNull(await scenario.GetAsync(OperatorKinds.Services, "a"));
        Assert.NotNull(await scenario.GetAsync(OperatorKinds.PersistentVolumeClaims, "a-workspace"));
        Assert.NotNull(await scenario.GetAsync(OperatorKinds.NetworkPolicies, "a"));
        Assert.Equal("Recreate", (await scenario.GetAsync(OperatorKinds.Deployments, "a"))!.Spec.Strategy.Type);

        await scenario.ApplyYamlAsync(Manifests.Agent("a", "openai", extra: "  network: {egress: Unrestricted}"));

        await Eventually.TrueAsync(
            async () => await scenario.GetAsync(OperatorKinds.Services, "a") is null
                && await scenario.GetAsync(OperatorKinds.PersistentVolumeClaims, "a-workspace") is null
                && await scenario.GetAsync(OperatorKinds.NetworkPolicies, "a") is null,
            "the Service, the workspace claim and the NetworkPolicy to be removed");
        await scenario.WaitForAgentAsync("a", "True", "Available");
        // Without storage the agent's own rollout policy decides; the default (Replace) is Recreate too, with no rollingUpdate left.
        var strategy = (await scenario.GetAsync(OperatorKinds.Deployments, "a"))!.Spec.Strategy;
        Assert.Equal(("Recreate", null), (strategy.Type, strategy.RollingUpdate));
        Assert.NotNull(await scenario.GetAsync(OperatorKinds.Secrets, "a-config"));
        Assert.NotNull(await scenario.GetAsync(OperatorKinds.ServiceAccounts, "a"));
    }
}
