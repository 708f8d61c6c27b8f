using Drover.GatewayBench.Results;

namespace Drover.Bench.Tests.Gateway;

public class GatewayTargetsTests
{
    private static LevelResult Judged(string path, int rate, double p99, double? added, string verdict = LevelResult.SustainedVerdict, string? skipped = null) =>
        LadderTests.Level(path, rate, p99, skipped: skipped) with { AddedP99Ms = added, Verdict = verdict };

    private static PathSummary Path(string name, int? max, bool every = false, double idle = 30, double loaded = 45) =>
        new() { Path = name, MaxSustainedRate = max, SustainedEveryRate = every, IdleRssMb = idle, LoadedRssMb = loaded };

    private static List<LevelResult> Ladder(double droverAddedAt1000, double portkeyAddedAt1000) =>
    [
        Judged("direct", 100, 0.5, null), Judged("drover", 100, 1.0, 0.5), Judged("portkey", 100, 3.0, 2.5),
        Judged("direct", 1000, 0.8, null), Judged("drover", 1000, 0.8 + droverAddedAt1000, droverAddedAt1000), Judged("portkey", 1000, 0.8 + portkeyAddedAt1000, portkeyAddedAt1000),
    ];

    [Fact]
    public void Every_target_passes_with_its_ratio_when_drover_beats_portkey_everywhere()
    {
        var targets = GatewayTargets.Evaluate([Path("direct", 2000, true), Path("drover", 2000, every: true, loaded: 44), Path("portkey", 500, loaded: 120)], Ladder(1.2, 9));

        Assert.All(targets, t => Assert.True(t.Met, t.Name + ": " + t.Actual));
        var latency = targets.Single(t => t.Name.StartsWith("less added p99", StringComparison.Ordinal));
        Assert.Equal("at worst 0.20x Portkey's (100 req/s)", latency.Ratio);
        Assert.Equal("100 req/s: +0.50 vs +2.50 ms; 1,000 req/s: +1.20 vs +9.00 ms", latency.Actual);
        Assert.Equal(">= 4.00x", targets.Single(t => t.Name.StartsWith("more requests", StringComparison.Ordinal)).Ratio);
        Assert.Equal("0.37x", targets.Single(t => t.Name.StartsWith("RSS under half", StringComparison.Ordinal)).Ratio);
        Assert.Equal("0.60x the target", targets.Single(t => t.Name == "added p99 at 1,000 req/s").Ratio);
    }

    [Fact]
    public void Each_miss_says_by_how_much()
    {
        var targets = GatewayTargets.Evaluate([Path("direct", 2000, true), Path("drover", 500, idle: 41.7, loaded: 70), Path("portkey", 1000, loaded: 120)], Ladder(3, 2));

        Assert.All(targets, t => Assert.False(t.Met, t.Name));
        Assert.Contains("1,000 req/s: +3.00 vs +2.00 ms", targets[0].Actual, StringComparison.Ordinal);
        Assert.Equal("at worst 1.50x Portkey's (1,000 req/s)", targets[0].Ratio);
        Assert.Equal("500 vs 1,000 req/s", targets[1].Actual);
        Assert.Equal("0.58x", targets[2].Ratio);
        Assert.Equal("1.50x the target", targets[3].Ratio);
        Assert.Equal("41.7 MB", targets[4].Actual);
    }

    [Fact]
    public void Streamed_and_closed_loop_levels_are_load_levels_too()
    {
        var levels = Ladder(1, 2);
        levels.Add(Judged("direct", 16, 2, null) with { Mode = LevelResult.ConcurrencyMode });
        levels.Add(Judged("drover", 16, 9, 7) with { Mode = LevelResult.ConcurrencyMode });
        levels.Add(Judged("portkey", 16, 5, 3) with { Mode = LevelResult.ConcurrencyMode });
        var target = GatewayTargets.Evaluate([Path("drover", 1000, every: true), Path("portkey", 100)], levels)[0];

        Assert.False(target.Met);
        Assert.EndsWith("16 callers: +7.00 vs +3.00 ms", target.Actual, StringComparison.Ordinal);
        Assert.Equal("at worst 2.33x Portkey's (16 callers)", target.Ratio);
    }

    [Fact]
    public void A_rate_portkey_could_not_run_counts_for_drover_and_one_drover_could_not_counts_against_it()
    {
        var portkeyBehind = Ladder(1, 2);
        portkeyBehind[5] = Judged("portkey", 1000, 0, null, "not run", skipped: "fell behind at a lower rate");
        Assert.True(GatewayTargets.Evaluate([Path("drover", 1000), Path("portkey", 100)], portkeyBehind)[0].Met);

        var droverBehind = Ladder(1, 2);
        droverBehind[4] = Judged("drover", 1000, 0, null, "not run", skipped: "fell behind at a lower rate");
        var target = GatewayTargets.Evaluate([Path("drover", 100), Path("portkey", 1000)], droverBehind)[0];
        Assert.False(target.Met);
        Assert.Contains("drover not run", target.Actual, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_path_is_a_miss_naming_why_and_equal_ladders_cannot_tell_who_sustains_more()
    {
        var failed = GatewayTargets.Evaluate([Path("drover", 1000), new PathSummary { Path = "portkey", Failure = "its requests fail (stream: status 500)" }], Ladder(1, 2));
        Assert.All(failed.Take(3), t => Assert.Contains("Portkey failed: its requests fail", t.Actual, StringComparison.Ordinal));
        Assert.All(failed.Take(3), t => Assert.False(t.Met));

        var tie = GatewayTargets.Evaluate([Path("drover", 1000, every: true), Path("portkey", 1000, every: true)], Ladder(1, 2));
        Assert.False(tie[1].Met);
        Assert.Contains("raise --rates", tie[1].Actual, StringComparison.Ordinal);

        var droverFailed = GatewayTargets.Evaluate([new PathSummary { Path = "drover", Failure = "did not start" }, Path("portkey", 1000)], []);
        Assert.False(Assert.Single(droverFailed).Met);
    }
}
