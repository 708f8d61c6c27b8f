using System.Globalization;

namespace Drover.GatewayBench.Results;

/// <summary>
/// Judges the open-loop rate levels of a path: which rates it sustained, where it stopped keeping up, and what it
/// added over the direct path at the same rate.
/// </summary>
internal static class Ladder
{
    /// <summary>A sustained rate fails at most this share of its requests.</summary>
    public const double MaxErrorShare = 0.001;

    /// <summary>A sustained rate answers at least this share of the offered rate per second.</summary>
    public const double MinAnsweredShare = 0.95;

    /// <summary>Past this the path is saturated: higher rates are not worth running on it.</summary>
    public const double SaturatedErrorShare = 0.01;

    public const double SaturatedAnsweredShare = 0.9;

    /// <summary>
    /// A rate is sustained when almost every request was answered, answers kept pace with the offered rate, and p99
    /// stayed within twice the path's p99 at the lowest rate (or within <paramref name="floorMs"/> above it, so that
    /// sub-millisecond jitter on a shared machine is not taken for queueing).
    /// </summary>
    public static string Verdict(LevelResult level, double lowLoadP99Ms, double floorMs)
    {
        ArgumentNullException.ThrowIfNull(level);
        if (level.Skipped is not null)
        {
            return "not run: " + level.Skipped;
        }

        if (level.Requests == 0)
        {
            return "no requests";
        }

        var failed = level.Requests - level.Answered;
        if (failed > level.Requests * MaxErrorShare)
        {
            return string.Create(CultureInfo.InvariantCulture, $"errors ({failed} of {level.Requests})");
        }

        if (level.AnsweredPerSecond < level.Offered * MinAnsweredShare)
        {
            return string.Create(CultureInfo.InvariantCulture, $"fell behind ({level.AnsweredPerSecond:0} of {level.Offered} req/s)");
        }

        var limit = P99Limit(lowLoadP99Ms, floorMs);
        return level.P99Ms > limit
            ? string.Create(CultureInfo.InvariantCulture, $"p99 doubled ({level.P99Ms:0.00} > {limit:0.00} ms)")
            : LevelResult.SustainedVerdict;
    }

    /// <summary>The p99 a rate may reach and still count as sustained.</summary>
    public static double P99Limit(double lowLoadP99Ms, double floorMs) => Math.Max(2 * lowLoadP99Ms, lowLoadP99Ms + floorMs);

    /// <summary>Whether the path is far past what it can take at this level (higher rates are skipped on it).</summary>
    public static bool Saturated(LevelResult level)
    {
        ArgumentNullException.ThrowIfNull(level);
        return level.Skipped is not null
            || level.Requests == 0
            || level.Requests - level.Answered > level.Requests * SaturatedErrorShare
            || level.AnsweredPerSecond < level.Offered * SaturatedAnsweredShare;
    }

    /// <summary>
    /// The highest rate sustained before the first that was not ("before p99 doubles"), and whether every rate run was
    /// sustained (then the limit lies above the highest). Null when the lowest rate already was not.
    /// </summary>
    public static (int? Rate, bool Every) MaxSustained(IEnumerable<LevelResult> rateLevels)
    {
        ArgumentNullException.ThrowIfNull(rateLevels);
        int? best = null;
        foreach (var level in rateLevels.OrderBy(l => l.Offered))
        {
            if (level.Verdict != LevelResult.SustainedVerdict)
            {
                return (best, false);
            }

            best = level.Offered;
        }

        return (best, best is not null);
    }

    /// <summary>The level with what it added over direct's level at the same load (latency and time to first byte).</summary>
    public static LevelResult WithAdded(LevelResult level, LevelResult? direct)
    {
        ArgumentNullException.ThrowIfNull(level);
        if (direct is null || direct.Skipped is not null || level.Skipped is not null || level.Answered == 0 || direct.Answered == 0)
        {
            return level;
        }

        return level with
        {
            AddedP50Ms = Math.Round(level.P50Ms - direct.P50Ms, 3),
            AddedP99Ms = Math.Round(level.P99Ms - direct.P99Ms, 3),
            AddedFirstByteP50Ms = level.FirstByteP50Ms - direct.FirstByteP50Ms is { } p50 ? Math.Round(p50, 3) : null,
            AddedFirstByteP99Ms = level.FirstByteP99Ms - direct.FirstByteP99Ms is { } p99 ? Math.Round(p99, 3) : null,
        };
    }
}
