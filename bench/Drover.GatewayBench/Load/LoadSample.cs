using System.Diagnostics;
using Drover.Bench;

namespace Drover.GatewayBench.Load;

/// <summary>
/// The requests of one run at one level, each with the time it was due (open loop: its scheduled time; closed loop:
/// when it was sent), and the figures drawn from them. A level run in slices is their merge.
/// </summary>
internal sealed class LoadSample
{
    public LoadSample(IReadOnlyList<(long Due, CallOutcome Outcome)> calls, long start, long end)
        : this(calls, (end - start) / (double)Stopwatch.Frequency)
    {
    }

    private LoadSample(IReadOnlyList<(long Due, CallOutcome Outcome)> calls, double seconds)
    {
        ArgumentNullException.ThrowIfNull(calls);
        Calls = calls;
        Seconds = seconds;
    }

    public IReadOnlyList<(long Due, CallOutcome Outcome)> Calls { get; }

    public int Requests => Calls.Count;

    public int Answered => Calls.Count(c => c.Outcome.Ok);

    /// <summary>From the start of the run (of each slice) to its last answer.</summary>
    public double Seconds { get; }

    /// <summary>The slices of one level as one sample: every request, and the time of all slices.</summary>
    public static LoadSample Merge(IEnumerable<LoadSample> slices)
    {
        ArgumentNullException.ThrowIfNull(slices);
        var all = slices.ToList();
        return new LoadSample([.. all.SelectMany(s => s.Calls)], all.Sum(s => s.Seconds));
    }

    /// <summary>Answers per second over the run, from its start to its last answer.</summary>
    public double AnsweredPerSecond => Seconds <= 0 ? 0 : Answered / Seconds;

    /// <summary>Latency of every answer, from its due time to its last byte, in ms.</summary>
    public List<double> LatenciesMs() => [.. Calls.Where(c => c.Outcome.Ok).Select(c => Ms(c.Outcome.Finished - c.Due))];

    /// <summary>Time to the first byte of every answer, from its due time, in ms.</summary>
    public List<double> FirstByteMs() => [.. Calls.Where(c => c.Outcome.Ok && c.Outcome.FirstByte > 0).Select(c => Ms(c.Outcome.FirstByte - c.Due))];

    /// <summary>How late the sender was: from each request's due time to when it was sent, in ms.</summary>
    public List<double> SendLagMs() => [.. Calls.Select(c => Ms(c.Outcome.Sent - c.Due))];

    /// <summary>Failures by reason, largest first.</summary>
    public IReadOnlyDictionary<string, int> Errors() =>
        Calls.Where(c => !c.Outcome.Ok)
            .GroupBy(c => c.Outcome.Error!)
            .OrderByDescending(g => g.Count())
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    public static double Percentile(List<double> values, double p) => values.Count == 0 ? double.NaN : Statistics.Percentile(values, p);

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
