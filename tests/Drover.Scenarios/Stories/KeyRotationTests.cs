using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Informers;
using Drover.Operator.Children;
using Drover.Operator.Cluster;
using Drover.Operator.Hosting;
using Drover.Operator.Rollouts;
using Drover.Scenarios.Support;
using k8s.Models;
using Xunit.Abstractions;

namespace Drover.Scenarios.Stories;

/// <summary>Rotating a provider's key rolls every agent that uses it exactly once, and no other agent.</summary>
public sealed class KeyRotationTests(ITestOutputHelper output)
{
    private static string World(int openaiAgents) => string.Join("\n---\n", new[]
        {
            Manifests.Secret("openai-key", "api-key", "sk-old"),
            Manifests.Secret("groq-key", "api-key", "gsk-1"),
            Manifests.OpenAIProvider("openai", "openai-key"),
            Manifests.GroqProvider("groq", "groq-key"),
            Manifests.Agent("on-groq", "groq", model: null),
        }.Concat(Enumerable.Range(1, openaiAgents).Select(i => Manifests.Agent($"on-openai-{i}", "openai"))));

    [Fact]
    public async Task Rotating_a_key_rolls_each_dependent_agent_once_and_leaves_others_alone()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        await scenario.ApplyYamlAsync(World(openaiAgents: 2));
        await scenario.StartOperatorAsync();
        var names = new[] { "on-openai-1", "on-openai-2", "on-groq" };
        var before = new Dictionary<string, (string Hash, long Generation)>();
        foreach (var name in names)
        {
            var agent = await scenario.WaitForAgentAsync(name, "True", "Available");
            var deployment = await scenario.GetAsync(OperatorKinds.Deployments, name);
            before[name] = (agent.Status!.ConfigHash!, deployment!.Metadata.Generation!.Value);
        }

        await Quiet.SettleAsync(scenario);
        scenario.Server.Requests.Reset();
        await scenario.ApplyYamlAsync(Manifests.Secret("openai-key", "api-key", "sk-new"));

        foreach (var name in names[..2])
        {
            await scenario.WaitForAsync(
                OperatorKinds.Agents,
                name,
                a => a.Status?.ConfigHash != before[name].Hash && OperatorScenario.HasCondition(a.Status?.Conditions, a.Metadata.Generation, a.Status?.ObservedGeneration, "True", "Available"),
                "rolled to the new key");
        }

        var counts = await Quiet.AssertAsync(scenario);
        foreach (var name in names[..2])
        {
            var deployment = await scenario.GetAsync(OperatorKinds.Deployments, name);
            Assert.Equal(before[name].Generation + 1, deployment!.Metadata.Generation);
            var secret = await scenario.GetAsync(OperatorKinds.Secrets, name + "-config");
            Assert.Equal("sk-new", System.Text.Encoding.UTF8.GetString(secret!.Data["api-key.default.openai"]));
        }

        var untouched = await scenario.GetAsync(OperatorKinds.Agents, "on-groq");
        Assert.Equal(before["on-groq"].Hash, untouched!.Status!.ConfigHash);
        Assert.Equal(before["on-groq"].Generation, (await scenario.GetAsync(OperatorKinds.Deployments, "on-groq"))!.Metadata.Generation);
        var writes = string.Join(", ", counts.Where(c => c.Key.Verb != "get" && c.Key.Verb != "list" && c.Key.Verb != "watch").Select(c => $"{c.Key.Verb} {c.Key.Resource} x{c.Value}"));
        Assert.True(counts.GetValueOrDefault(("patch", "deployments")) == 2, writes);
        Assert.Equal(3, counts.GetValueOrDefault(("patch", "secrets"))); // the user's rotation, then one config Secret per dependent agent
    }

    [Fact]
    public async Task A_rotation_shared_by_many_agents_rolls_them_in_waves_of_max_concurrent_rollouts()
    {
        const int agents = 6;
        const int limit = 2;
        await using var scenario = await OperatorScenario.CreateAsync(output, rolloutDelay: TimeSpan.FromMilliseconds(600));
        await scenario.ApplyYamlAsync(World(openaiAgents: agents));
        await scenario.StartOperatorAsync(new RunOptions { Workers = 4, MaxConcurrentRollouts = limit });
        var generations = new Dictionary<string, long>();
        for (var i = 1; i <= agents; i++)
        {
            await scenario.WaitForAgentAsync($"on-openai-{i}", "True", "Available");
            generations[$"on-openai-{i}"] = (await scenario.GetAsync(OperatorKinds.Deployments, $"on-openai-{i}"))!.Metadata.Generation!.Value;
        }

        await Quiet.SettleAsync(scenario);

        // Watch the cluster the way a user would: how many Deployments are rolling at once, and who waited.
        var rolling = new HashSet<string>();
        var maxRolling = 0;
        var waited = new HashSet<string>();
        var gate = new Lock();
        var deployments = new Informer<V1Deployment>(scenario.Client, OperatorKinds.Deployments);
        deployments.AddHandler(new ResourceChangeHandler<V1Deployment>
        {
            OnUpdated = (_, d) =>
            {
                lock (gate)
                {
                    if (DeploymentProgress.IsProgressing(d))
                    {
                        rolling.Add(d.Metadata.Name);
                    }
                    else
                    {
                        rolling.Remove(d.Metadata.Name);
                    }

                    maxRolling = Math.Max(maxRolling, rolling.Count);
                }
            },
        });
        var agentWatch = new Informer<Agent>(scenario.Client, OperatorKinds.Agents);
        agentWatch.AddHandler(new ResourceChangeHandler<Agent>
        {
            OnUpdated = (_, a) =>
            {
                if (a.Status?.Conditions?.Any(c => c.Type == ConditionTypes.Ready && c.Reason == RolloutReasons.RolloutPending) == true)
                {
                    lock (gate)
                    {
                        waited.Add(a.Metadata.Name);
                    }
                }
            },
        });
        using var stop = new CancellationTokenSource();
        var watching = Task.WhenAll(deployments.RunAsync(stop.Token), agentWatch.RunAsync(stop.Token));
        await Task.WhenAll(deployments.HasSynced, agentWatch.HasSynced);

        await scenario.ApplyYamlAsync(Manifests.Secret("openai-key", "api-key", "sk-rotated"));
        for (var i = 1; i <= agents; i++)
        {
            var name = $"on-openai-{i}";
            await scenario.WaitForAsync(
                OperatorKinds.Deployments,
                name,
                d => d.Metadata.Generation > generations[name] && !DeploymentProgress.IsProgressing(d),
                "rolled",
                timeout: TimeSpan.FromSeconds(60));
        }

        await Quiet.SettleAsync(scenario);
        await stop.CancelAsync();
        await watching;

        for (var i = 1; i <= agents; i++)
        {
            var name = $"on-openai-{i}";
            Assert.Equal(generations[name] + 1, (await scenario.GetAsync(OperatorKinds.Deployments, name))!.Metadata.Generation);
        }

        Assert.InRange(maxRolling, 1, limit);
        Assert.NotEmpty(waited);
        output.WriteLine($"at most {maxRolling} rolling at once; {waited.Count} agents waited for a slot");
    }
}
