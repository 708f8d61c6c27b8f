using Drover.Operator.Cluster;
using Drover.Operator.Hosting;
using Drover.Scenarios.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Drover.Scenarios.Hosting;

/// <summary>What the operator acts on: only the namespaces it is told to watch, and only while it holds the lease.</summary>
public sealed class OperatorScopeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_operator_watching_some_namespaces_leaves_the_others_alone()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        static string Team(string ns) =>
            Manifests.Namespace(ns) + "\n---\n"
            + Manifests.Secret("openai-key", "api-key", "sk-1", ns) + "\n---\n"
            + Manifests.OpenAIProvider("openai", "openai-key", ns: ns) + "\n---\n"
            + Manifests.Agent("a", "openai").Replace("namespace: default", "namespace: " + ns, StringComparison.Ordinal);
        await scenario.ApplyYamlAsync(Team("team-a") + "\n---\n" + Team("team-b"));

        await scenario.StartOperatorAsync(new RunOptions { Workers = 2, Namespaces = ["team-a"] });
        await scenario.WaitForAgentAsync("a", "True", "Available", ns: "team-a");
        await Quiet.SettleAsync(scenario);

        Assert.Null(await scenario.GetAsync(OperatorKinds.Deployments, "a", ns: "team-b"));
        Assert.Null(await scenario.GetAsync(OperatorKinds.Secrets, "a-config", ns: "team-b"));
        var ignored = await scenario.GetAsync(OperatorKinds.Agents, "a", ns: "team-b");
        Assert.Null(ignored!.Status);
        var provider = await scenario.GetAsync(OperatorKinds.ModelProviders, "openai", ns: "team-b");
        Assert.Null(provider!.Status);
    }

    [Fact]
    public async Task With_leader_election_one_replica_reconciles_and_the_standby_takes_over_when_it_stops()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        await scenario.ApplyYamlAsync(
            Manifests.Secret("openai-key", "api-key", "sk-1") + "\n---\n" + Manifests.OpenAIProvider("openai", "openai-key") + "\n---\n"
            + Manifests.Agent("a", "openai"));
        var options = new RunOptions { Workers = 2, LeaderElect = true, LeaderElectionNamespace = "default" };

        await scenario.StartOperatorAsync(options with { PodName = "first" });
        using var second = new OperatorRuntime(scenario.Client, options with { PodName = "second" }, await scenario.DigestAsync(options), NullLoggerFactory.Instance);
        using var stopSecond = new CancellationTokenSource();
        await second.Host.StartAsync(stopSecond.Token);
        await second.Host.HasSynced.WaitAsync(OperatorScenario.DefaultTimeout);
        try
        {
            var first = scenario.Operator!;
            await Eventually.TrueAsync(() => Task.FromResult(first.Host.IsLeader ^ second.Host.IsLeader), "exactly one replica to lead");
            var (leader, standby) = first.Host.IsLeader ? (first, second) : (second, first);
            await scenario.WaitForAgentAsync("a", "True", "Available");
            Assert.Equal(0, standby.Agents.Reconciles + standby.ModelProviders.Reconciles + standby.Schedules.Reconciles);
            var lease = await scenario.Client.SendJsonAsync(
                HttpMethod.Get, "/apis/coordination.k8s.io/v1/namespaces/default/leases/drover-operator", null, "application/json", CancellationToken.None);
            Assert.StartsWith(leader == first ? "first_" : "second_", lease!["spec"]!["holderIdentity"]!.GetValue<string>(), StringComparison.Ordinal);

            // The leader stops gracefully (a rolling update): the standby, caches warm, takes over and acts on new work.
            await leader.Host.StopAsync(CancellationToken.None);
            await Eventually.TrueAsync(() => Task.FromResult(standby.Host.IsLeader), "the standby to take the lease");
            await scenario.ApplyYamlAsync(Manifests.Agent("b", "openai"));
            await scenario.WaitForAgentAsync("b", "True", "Available");
            Assert.True(standby.Agents.Reconciles > 0);
        }
        finally
        {
            await stopSecond.CancelAsync();
            await second.Host.StopAsync(CancellationToken.None);
        }
    }
}
