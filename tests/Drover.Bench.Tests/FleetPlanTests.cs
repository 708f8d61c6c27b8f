using System.Text.Json.Nodes;
using Drover.Bench;

namespace Drover.Bench.Tests;

public class FleetPlanTests
{
    [Theory]
    [InlineData(100, 1000, 10, 2, 100)]
    [InlineData(1000, 1000, 100, 11, 1000)]
    [InlineData(10_000, 1000, 1000, 101, 1000)]
    public void A_fleet_has_a_schedule_per_ten_agents_and_a_provider_per_hundred(int agents, int rotation, int schedules, int providers, int sharing)
    {
        var plan = new FleetPlan(agents, rotation);
        var workloads = plan.Workloads().ToList();
        Assert.Equal(agents, workloads.Count(w => Kind(w) == "Agent"));
        Assert.Equal(schedules, workloads.Count(w => Kind(w) == "Schedule"));
        Assert.Equal(schedules, plan.Schedules);
        Assert.Equal(providers, plan.ModelProviders().Count());
        Assert.Equal(providers, plan.Credentials().Count());
        Assert.Equal(providers, plan.Providers);

        var onShared = workloads.Where(w => Kind(w) == "Agent" && Providers(w).Contains(FleetPlan.SharedProvider)).ToList();
        Assert.Equal(sharing, onShared.Count);
        Assert.Equal(plan.SharedProviderAgents.Select(a => a.Name), onShared.Select(a => a["metadata"]!["name"]!.GetValue<string>()));
    }

    [Fact]
    public void No_agent_falls_back_to_the_provider_it_already_uses()
    {
        var plan = new FleetPlan(3000, 500);
        foreach (var agent in plan.Workloads().Where(w => Kind(w) == "Agent"))
        {
            var chain = Providers(agent);
            Assert.Equal(chain.Distinct().Count(), chain.Count);
        }
    }

    private static string Kind(JsonObject o) => o["kind"]!.GetValue<string>();

    private static List<string> Providers(JsonObject agent)
    {
        var model = agent["spec"]!["model"]!;
        var chain = new List<string> { model["providerRef"]!["name"]!.GetValue<string>() };
        chain.AddRange(model["fallbacks"]?.AsArray().Select(f => f!["providerRef"]!["name"]!.GetValue<string>()) ?? []);
        return chain;
    }

    [Fact]
    public void Other_applications_keep_their_share_of_each_kind_in_every_team_namespace_and_nothing_Drover_would_read()
    {
        var plan = new FleetPlan(1500, 10, otherAppsPerHundred: 20);
        var others = plan.OtherApps().ToList();

        // 1,000 and 500 members: 200 and 100 of each kind.
        Assert.Equal(900, others.Count);
        Assert.Equal(
            [("Secret", "team-1", 200), ("ConfigMap", "team-1", 200), ("Service", "team-1", 200), ("Secret", "team-2", 100), ("ConfigMap", "team-2", 100), ("Service", "team-2", 100)],
            others.GroupBy(o => ((string)o["kind"]!, (string)o["metadata"]!["namespace"]!)).Select(g => (g.Key.Item1, g.Key.Item2, g.Count())));
        Assert.Equal(others.Count, others.Select(o => $"{o["kind"]}/{o["metadata"]!["namespace"]}/{o["metadata"]!["name"]}").Distinct().Count());
        Assert.All(others, o => Assert.DoesNotContain("drover", o["metadata"]!["labels"]!.ToJsonString(), StringComparison.Ordinal));
        Assert.Empty(new FleetPlan(1500, 10).OtherApps());

        // The harness knows where to create every object the plan holds.
        Assert.All(plan.Namespaces().Concat(plan.Credentials()).Concat(plan.ModelProviders()).Concat(plan.Workloads()).Concat(others), o => Assert.StartsWith("/api", BenchCluster.CollectionPath(o), StringComparison.Ordinal));
    }
}
