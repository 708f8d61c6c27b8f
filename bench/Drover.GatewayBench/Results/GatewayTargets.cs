using System.Globalization;
using Drover.GatewayBench.Paths;

namespace Drover.GatewayBench.Results;

/// <summary>The gateway's targets (against Portkey and absolute), judged as ratios from one run on one machine.</summary>
internal static class GatewayTargets
{
    public const double AddedP99At1000Ms = 2;
    public const int TargetRate = 1000;
    public const double IdleRssMb = 40;
    public const double RssShareOfPortkey = 0.5;

    private const string LessLatency = "less added p99 than Portkey at every load level";
    private const string MoreThroughput = "more requests/s than Portkey (max sustained rate)";
    private const string HalfRss = "RSS under half of Portkey's (loaded)";

    public static IReadOnlyList<GatewayTarget> Evaluate(IReadOnlyList<PathSummary> paths, IReadOnlyList<LevelResult> levels)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(levels);
        var drover = paths.FirstOrDefault(p => p.Path == BenchPath.Drover);
        var portkey = paths.FirstOrDefault(p => p.Path == BenchPath.Portkey);
        var targets = new List<GatewayTarget>();
        if (drover is null)
        {
            return targets;
        }

        if (drover.Failure is not null)
        {
            targets.Add(new("drover-gateway measured", "every path answers", "failed: " + drover.Failure, null, false));
            return targets;
        }

        var portkeyMeasured = portkey is { Failure: null };
        var portkeyMissing = portkey is null ? "Portkey not run" : "Portkey failed: " + portkey.Failure;
        targets.Add(portkeyMeasured ? LessAddedP99(levels) : new(LessLatency, "drover < portkey", portkeyMissing, null, false));
        targets.Add(portkeyMeasured ? MoreRequests(drover, portkey!) : new(MoreThroughput, "drover > portkey", portkeyMissing, null, false));
        targets.Add(portkeyMeasured ? LessRss(drover, portkey!) : new(HalfRss, $"< {RssShareOfPortkey:0.0}x", portkeyMissing, null, false));

        var at1000 = Rate(levels, BenchPath.Drover, TargetRate);
        targets.Add(at1000 switch
        {
            null => new("added p99 at 1,000 req/s", $"<= {AddedP99At1000Ms:0} ms", "1,000 req/s not in --rates", null, false),
            { Skipped: { } why } => new("added p99 at 1,000 req/s", $"<= {AddedP99At1000Ms:0} ms", "not run: " + why, null, false),
            { AddedP99Ms: { } added } => new(
                "added p99 at 1,000 req/s",
                $"<= {AddedP99At1000Ms:0} ms",
                $"{F(added, 2)} ms (p99 {F(at1000.P99Ms, 2)} vs direct {F(at1000.P99Ms - added, 2)})",
                $"{F(added / AddedP99At1000Ms, 2)}x the target",
                added <= AddedP99At1000Ms && at1000.Verdict == LevelResult.SustainedVerdict),
            _ => new("added p99 at 1,000 req/s", $"<= {AddedP99At1000Ms:0} ms", "no answers to compare", null, false),
        });

        targets.Add(drover.IdleRssMb is { } idle
            ? new("idle RSS", $"<= {IdleRssMb:0} MB", $"{F(idle, 1)} MB", $"{F(idle / IdleRssMb, 2)}x the target", idle <= IdleRssMb)
            : new("idle RSS", $"<= {IdleRssMb:0} MB", "not measured", null, false));
        return targets;
    }

    /// <summary>
    /// At every level both ran (open-loop rates, streamed rates, closed-loop callers): drover's added p99 below
    /// Portkey's; a level Portkey could not run (or failed) counts for drover, one drover could not counts against it.
    /// </summary>
    private static GatewayTarget LessAddedP99(IReadOnlyList<LevelResult> levels)
    {
        const string Name = LessLatency;
        var compared = new List<string>();
        var worstRatio = double.NegativeInfinity;
        string? worstAt = null;
        var met = true;
        var keys = levels
            .Where(l => l.Path == BenchPath.Direct && l.Skipped is null)
            .OrderBy(l => l.Mode == LevelResult.RateMode ? 0 : 1)
            .ThenBy(l => l.Stream)
            .ThenBy(l => l.Offered)
            .Select(l => (l.Mode, l.Stream, l.Offered))
            .ToList();
        foreach (var (mode, stream, offered) in keys)
        {
            var at = Label(mode, stream, offered);
            var d = Level(levels, BenchPath.Drover, mode, stream, offered);
            var p = Level(levels, BenchPath.Portkey, mode, stream, offered);
            var droverRan = d is { Skipped: null, AddedP99Ms: not null } && !Failing(d);
            var portkeyRan = p is { Skipped: null, AddedP99Ms: not null } && !Failing(p);
            if (!droverRan && !portkeyRan)
            {
                continue;
            }

            if (!droverRan)
            {
                met = false;
                compared.Add($"{at}: drover {Why(d)}, portkey {Signed(p!.AddedP99Ms!.Value)} ms");
                continue;
            }

            if (!portkeyRan)
            {
                compared.Add($"{at}: drover {Signed(d!.AddedP99Ms!.Value)} ms, portkey {Why(p)}");
                continue;
            }

            var dp = d!.AddedP99Ms!.Value;
            var pp = p!.AddedP99Ms!.Value;
            met &= dp < pp;
            compared.Add($"{at}: {Signed(dp)} vs {Signed(pp)} ms");
            if (pp > 0 && dp / pp > worstRatio)
            {
                worstRatio = dp / pp;
                worstAt = at;
            }
        }

        if (compared.Count == 0)
        {
            return new(Name, "drover < portkey", "no level ran on both", null, false);
        }

        return new(Name, "drover < portkey", string.Join("; ", compared), worstAt is null ? null : $"at worst {Ratio(worstRatio)} Portkey's ({worstAt})", met);
    }

    private static string Label(string mode, bool stream, int offered) =>
        mode == LevelResult.RateMode
            ? offered.ToString("N0", CultureInfo.InvariantCulture) + (stream ? " req/s streamed" : " req/s")
            : offered.ToString("N0", CultureInfo.InvariantCulture) + " callers";

    private static GatewayTarget MoreRequests(PathSummary drover, PathSummary portkey)
    {
        const string Name = MoreThroughput;
        var d = drover.MaxSustainedRate ?? 0;
        var p = portkey.MaxSustainedRate ?? 0;
        var actual = $"{Sustained(drover)} vs {Sustained(portkey)} req/s";
        if (drover.SustainedEveryRate && portkey.SustainedEveryRate)
        {
            return new(Name, "drover > portkey", actual + " (both sustained every rate: raise --rates to tell them apart)", null, false);
        }

        var ratio = p == 0 ? null : $"{(drover.SustainedEveryRate ? ">= " : "")}{F(d / (double)p, 2)}x";
        return new(Name, "drover > portkey", actual, ratio, d > p);
    }

    private static GatewayTarget LessRss(PathSummary drover, PathSummary portkey)
    {
        const string Name = HalfRss;
        if (drover.LoadedRssMb is not { } d || portkey.LoadedRssMb is not { } p || p <= 0)
        {
            return new(Name, $"< {RssShareOfPortkey:0.0}x", "not measured", null, false);
        }

        return new(Name, $"< {RssShareOfPortkey:0.0}x", $"{F(d, 1)} vs {F(p, 1)} MB", $"{F(d / p, 2)}x", d < RssShareOfPortkey * p);
    }

    private static LevelResult? Rate(IReadOnlyList<LevelResult> levels, string path, int rate) => Level(levels, path, LevelResult.RateMode, false, rate);

    private static LevelResult? Level(IReadOnlyList<LevelResult> levels, string path, string mode, bool stream, int offered) =>
        levels.FirstOrDefault(l => l.Path == path && l.Mode == mode && l.Stream == stream && l.Offered == offered);

    // A level whose requests mostly failed has no latency worth comparing: it lost.
    private static bool Failing(LevelResult level) => level.Requests - level.Answered > level.Requests * Ladder.SaturatedErrorShare;

    private static string Why(LevelResult? level) => level is null ? "not run" : level.Skipped is { } skipped ? "not run (" + skipped + ")" : "failed (" + level.Verdict + ")";

    private static string Sustained(PathSummary path) =>
        path.MaxSustainedRate is { } rate ? (path.SustainedEveryRate ? ">= " : "") + rate.ToString("N0", CultureInfo.InvariantCulture) : "none";

    private static string Ratio(double value) => value is >= 0 and < 0.01 ? "< 0.01x" : F(value, 2) + "x";

    private static string Signed(double value) => (value >= 0 ? "+" : "") + F(value, 2);

    private static string F(double value, int decimals) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
