using Drover.GatewayBench.Results;

namespace Drover.Bench.Tests.Gateway;

public class LadderTests
{
    internal static LevelResult Level(string path, int rate, double p99, int requests = 1000, int? answered = null, double? perSecond = null, string? skipped = null) => new()
    {
        Path = path,
        Mode = LevelResult.RateMode,
        Stream = false,
        Offered = rate,
        Requests = requests,
        Answered = answered ?? requests,
        AnsweredPerSecond = perSecond ?? rate,
        P50Ms = p99 / 2,
        P99Ms = p99,
        Skipped = skipped,
    };

    [Fact]
    public void A_rate_is_sustained_until_p99_doubles_over_the_lowest_rate_or_the_floor_whichever_is_more()
    {
        Assert.Equal(LevelResult.SustainedVerdict, Ladder.Verdict(Level("drover", 500, 3.9), lowLoadP99Ms: 2, floorMs: 1));
        Assert.StartsWith("p99 doubled", Ladder.Verdict(Level("drover", 500, 4.1), 2, 1), StringComparison.Ordinal);

        // Below a millisecond, doubling is jitter: 0.3 -> 0.7 ms is within the 1 ms floor, 0.3 -> 1.4 is not.
        Assert.Equal(LevelResult.SustainedVerdict, Ladder.Verdict(Level("direct", 500, 0.7), 0.3, 1));
        Assert.StartsWith("p99 doubled", Ladder.Verdict(Level("direct", 500, 1.4), 0.3, 1), StringComparison.Ordinal);
        Assert.Equal(1.3, Ladder.P99Limit(0.3, 1), 9);
        Assert.Equal(8, Ladder.P99Limit(4, 1));
    }

    [Fact]
    public void Errors_or_falling_behind_the_offered_rate_is_not_sustaining_it_whatever_the_latency()
    {
        Assert.StartsWith("errors (2 of 1000)", Ladder.Verdict(Level("portkey", 1000, 1, answered: 998), 1, 1), StringComparison.Ordinal);
        Assert.Equal(LevelResult.SustainedVerdict, Ladder.Verdict(Level("portkey", 1000, 1, requests: 2000, answered: 1998), 1, 1));
        Assert.StartsWith("fell behind (900 of 1000", Ladder.Verdict(Level("portkey", 1000, 1, perSecond: 900), 1, 1), StringComparison.Ordinal);
        Assert.StartsWith("not run", Ladder.Verdict(Level("portkey", 1000, 0, requests: 0, skipped: "fell behind at a lower rate"), 1, 1), StringComparison.Ordinal);

        Assert.False(Ladder.Saturated(Level("portkey", 1000, 50, perSecond: 920)));
        Assert.True(Ladder.Saturated(Level("portkey", 1000, 50, perSecond: 880)));
        Assert.True(Ladder.Saturated(Level("portkey", 1000, 5, answered: 980)));
    }

    [Fact]
    public void The_max_sustained_rate_is_the_last_before_the_first_that_failed()
    {
        static LevelResult Judged(int rate, bool sustained) => Level("drover", rate, 1) with { Verdict = sustained ? LevelResult.SustainedVerdict : "p99 doubled" };

        // A rate that happens to pass above one that failed does not count: the limit was reached below it.
        Assert.Equal((500, false), Ladder.MaxSustained([Judged(1000, false), Judged(100, true), Judged(500, true), Judged(2000, true)]));
        Assert.Equal((2000, true), Ladder.MaxSustained([Judged(100, true), Judged(2000, true)]));
        Assert.Equal((null, false), Ladder.MaxSustained([Judged(100, false), Judged(200, true)]));
        Assert.Equal((null, false), Ladder.MaxSustained([]));
    }

    [Fact]
    public void Added_latency_is_over_direct_at_the_same_level_and_absent_when_either_did_not_run()
    {
        var direct = Level("direct", 1000, 0.8) with { FirstByteP50Ms = 0.3, FirstByteP99Ms = 0.9 };
        var drover = Level("drover", 1000, 2.3) with { FirstByteP50Ms = 0.7, FirstByteP99Ms = 1.5 };
        var added = Ladder.WithAdded(drover, direct);
        Assert.Equal(0.75, added.AddedP50Ms);
        Assert.Equal(1.5, added.AddedP99Ms);
        Assert.Equal(0.4, added.AddedFirstByteP50Ms);
        Assert.Equal(0.6, added.AddedFirstByteP99Ms);

        Assert.Null(Ladder.WithAdded(drover, null).AddedP99Ms);
        Assert.Null(Ladder.WithAdded(drover, direct with { Skipped = "the harness could not keep up" }).AddedP99Ms);
        Assert.Null(Ladder.WithAdded(drover with { Answered = 0 }, direct).AddedP99Ms);
    }
}
