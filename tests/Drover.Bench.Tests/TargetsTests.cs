using Drover.Bench;

namespace Drover.Bench.Tests;

public class TargetsTests
{
    [Fact]
    public void A_run_that_meets_every_target_of_its_fleet_and_build_says_so()
    {
        var checks = Targets.Evaluate(Run("aot", 1000) with { Rotation = Rotation(1000) });
        Assert.All(checks, c => Assert.True(c.Met, c.Name));
        Assert.Equal(
            ["converge", "writes per child", "steady-state writes", "idle RSS", "startup to ready", "rotation paced", "rotation rolls each once", "rotation writes per agent"],
            checks.Select(c => c.Name));
    }

    [Fact]
    public void Misses_are_reported_with_the_measured_value()
    {
        var run = Run("aot", 10_000) with { PeakRssMb = 480.4, IdleRssMb = 61.2, SteadyStateWrites = 3, WritesPerChild = 1.25 };
        var missed = Targets.Evaluate(run).Where(c => !c.Met).ToDictionary(c => c.Name, c => c.Actual);
        Assert.Equal("480.4 MB", missed["peak RSS at 10,000 agents"]);
        Assert.Equal("61.2 MB", missed["idle RSS"]);
        Assert.Equal("3", missed["steady-state writes"]);
        Assert.Equal("1.25", missed["writes per child"]);
        Assert.Equal(4, missed.Count);
    }

    [Fact]
    public void Footprint_targets_apply_to_the_NativeAOT_build_and_the_converge_target_to_1000_agents()
    {
        var jit = Targets.Evaluate(Run("jit", 1000) with { IdleRssMb = 90, StartupMs = 600 });
        Assert.DoesNotContain(jit, c => c.Name is "idle RSS" or "startup to ready");
        Assert.All(jit, c => Assert.True(c.Met, c.Name));

        var small = Targets.Evaluate(Run("aot", 100) with { ConvergeSeconds = 45 });
        Assert.DoesNotContain(small, c => c.Name == "converge");
        Assert.False(Targets.Evaluate(Run("aot", 1000) with { ConvergeSeconds = 30 }).Single(c => c.Name == "converge").Met);
    }

    [Fact]
    public void A_rotation_that_overshoots_the_limit_or_rolls_an_agent_twice_misses()
    {
        var run = Run("jit", 1000) with { Rotation = Rotation(1000) with { MaxConcurrentObserved = 11, RolledExactlyOnce = 998, ChildWritesPerAgent = 4.0 } };
        var missed = Targets.Evaluate(run).Where(c => !c.Met).Select(c => c.Name);
        Assert.Equal(["rotation paced", "rotation rolls each once", "rotation writes per agent"], missed);
    }

    internal static RunResult Run(string build, int agents) => new()
    {
        Build = build,
        Agents = agents,
        ConvergeSeconds = 12.5,
        WritesPerChild = 1.0,
        SteadyStateWrites = 0,
        IdleRssMb = 35,
        PeakRssMb = 140,
        StartupMs = 120,
    };

    internal static RotationResult Rotation(int agents) => new()
    {
        Agents = agents,
        Seconds = 40,
        MaxConcurrentRollouts = 10,
        MaxConcurrentObserved = 10,
        RolledExactlyOnce = agents,
        ChildWritesPerAgent = 2.1,
    };
}
