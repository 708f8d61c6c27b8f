using Drover.Operator.Cluster;
using Drover.Scenarios.Support;
using Xunit.Abstractions;

namespace Drover.Scenarios.Stories;

/// <summary>
/// A one-replica agent (a chat bot long-polling its API) never runs twice during a rollout unless it asks for overlap:
/// its Deployment is Recreate, which starts no new pod until the old one has gone.
/// </summary>
public sealed class RolloutStrategyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_one_replica_agent_rolls_with_Recreate_and_switches_to_a_bounded_surge_and_back_when_asked()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        var world = Manifests.Secret("openai-key", "api-key", "sk-1") + "\n---\n" + Manifests.OpenAIProvider("openai", "openai-key") + "\n---\n";
        await scenario.ApplyYamlAsync(world + Manifests.Agent("bot", "openai", extra: "  replicas: 1"));
        await scenario.StartOperatorAsync();
        await scenario.WaitForAgentAsync("bot", "True", "Available");

        var deployment = await scenario.GetAsync(OperatorKinds.Deployments, "bot");
        Assert.Equal("Recreate", deployment!.Spec.Strategy.Type);
        Assert.Null(deployment.Spec.Strategy.RollingUpdate);

        // A new configuration rolls under Recreate and the agent is Ready again.
        await scenario.ApplyYamlAsync(world + Manifests.Agent("bot", "openai", extra: "  replicas: 1\n  instructions: Answer in one line."));
        await scenario.WaitForAsync(OperatorKinds.Agents, "bot",
            a => a.Metadata.Generation == 2 && OperatorScenario.HasCondition(a.Status?.Conditions, a.Metadata.Generation, a.Status?.ObservedGeneration, "True", "Available"),
            "rolled out the new instructions");

        await scenario.ApplyYamlAsync(world + Manifests.Agent("bot", "openai", extra: "  replicas: 1\n  rollout: Surge"));
        deployment = await scenario.WaitForAsync(OperatorKinds.Deployments, "bot", d => d.Spec.Strategy.Type == "RollingUpdate", "switched to a rolling update");
        Assert.Equal("1", deployment.Spec.Strategy.RollingUpdate.MaxSurge.Value);
        Assert.Equal("0", deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);

        // Back to Replace: the operator owned the bounds it set, so they go with the switch (a server rejects Recreate with them).
        await scenario.ApplyYamlAsync(world + Manifests.Agent("bot", "openai", extra: "  replicas: 1\n  rollout: Replace"));
        deployment = await scenario.WaitForAsync(OperatorKinds.Deployments, "bot", d => d.Spec.Strategy.Type == "Recreate", "switched back to Recreate");
        Assert.Null(deployment.Spec.Strategy.RollingUpdate);
    }
}
