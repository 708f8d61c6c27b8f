using Drover.Operator.Cluster;
using Drover.Operator.Hosting;
using Drover.Scenarios.Support;
using Xunit.Abstractions;

namespace Drover.Scenarios.Stories;

/// <summary>A converged operator costs the API server nothing, and a change costs exactly the writes it needs.</summary>
public sealed class ApiEfficiencyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task After_convergence_a_full_resync_writes_nothing()
    {
        await using var scenario = await OperatorScenario.WithSamplesAsync(output);
        await scenario.WaitForAgentAsync("echo", "True", "Available");
        await scenario.WaitForScheduleAsync("morning-summary", "True", "Scheduled");
        await Quiet.AssertAsync(scenario);

        scenario.Server.Requests.Reset();
        await scenario.ResyncAndSettleAsync();
        var counts = await Quiet.AssertAsync(scenario);
        Assert.Empty(Writes(counts));
    }

    [Fact]
    public async Task Scaling_an_agent_writes_only_its_Deployment_and_status()
    {
        await using var scenario = await OperatorScenario.WithSamplesAsync(output);
        await scenario.WaitForAgentAsync("echo", "True", "Available");
        await scenario.WaitForScheduleAsync("morning-summary", "True", "Scheduled");
        await Quiet.AssertAsync(scenario);

        scenario.Server.Requests.Reset();
        await scenario.MergePatchAsync(OperatorKinds.Agents, "echo", """{"spec":{"replicas":2}}""");
        await scenario.WaitForAsync(OperatorKinds.Agents, "echo", a => a.Status?.ReadyReplicas == 2 && a.Status.ObservedGeneration == a.Metadata.Generation, "2 ready replicas");
        var counts = await Quiet.AssertAsync(scenario);

        var writes = Writes(counts);
        Assert.Equal(1, counts.GetValueOrDefault(("patch", "deployments")));
        Assert.All(writes.Keys, resource => Assert.Contains(resource, new[] { "agents", "deployments", "agents/status" }));
    }

    [Fact]
    public async Task New_instructions_write_the_config_Secret_the_Deployment_and_the_CronJob_once_each_and_nothing_else()
    {
        await using var scenario = await OperatorScenario.WithSamplesAsync(output);
        var before = await scenario.WaitForAgentAsync("echo", "True", "Available");
        await scenario.WaitForScheduleAsync("morning-summary", "True", "Scheduled");
        await Quiet.AssertAsync(scenario);

        scenario.Server.Requests.Reset();
        await scenario.MergePatchAsync(OperatorKinds.Agents, "echo", """{"spec":{"instructions":"Answer in one sentence."}}""");
        await scenario.WaitForAsync(
            OperatorKinds.Agents,
            "echo",
            a => a.Status?.ConfigHash != before.Status!.ConfigHash && OperatorScenario.HasCondition(a.Status?.Conditions, a.Metadata.Generation, a.Status?.ObservedGeneration, "True", "Available"),
            "the new configuration rolled out");
        var counts = await Quiet.AssertAsync(scenario);

        Assert.Equal(1, counts.GetValueOrDefault(("patch", "secrets")));
        Assert.Equal(1, counts.GetValueOrDefault(("patch", "deployments")));
        Assert.Equal(1, counts.GetValueOrDefault(("patch", "cronjobs")));
        var writes = Writes(counts);
        Assert.All(writes.Keys, resource => Assert.Contains(resource, new[] { "agents", "agents/status", "secrets", "deployments", "cronjobs", "schedules/status" }));
    }

    private static Dictionary<string, int> Writes(IReadOnlyDictionary<(string Verb, string Resource), int> counts) =>
        counts
            .Where(p => p.Key.Verb is "create" or "update" or "patch" or "delete")
            .GroupBy(p => p.Key.Resource)
            .ToDictionary(g => g.Key, g => g.Sum(p => p.Value));
}
