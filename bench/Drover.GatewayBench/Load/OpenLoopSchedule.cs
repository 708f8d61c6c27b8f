namespace Drover.GatewayBench.Load;

/// <summary>
/// When each request of an open-loop run is due: the i-th at start + i / rate, whatever happened to the ones before.
/// Latency is measured from that due time, not from when the request was actually sent, so a path that makes the
/// sender wait (queueing, a full connection pool) is charged for the wait instead of hiding it (coordinated omission).
/// </summary>
/// <param name="Rate">Requests per second.</param>
/// <param name="Frequency">Timestamp ticks per second (<see cref="System.Diagnostics.Stopwatch.Frequency"/>).</param>
internal readonly record struct OpenLoopSchedule(double Rate, long Frequency)
{
    /// <summary>Requests in a run of <paramref name="duration"/>.</summary>
    public long Count(TimeSpan duration) => Math.Max(1, (long)Math.Round(Rate * duration.TotalSeconds));

    /// <summary>Ticks from the start of the run to when request <paramref name="index"/> is due.</summary>
    public long DueOffset(long index) => (long)Math.Round(index * (Frequency / Rate));

    /// <summary>How many of <paramref name="count"/> requests are due <paramref name="elapsed"/> ticks into the run.</summary>
    public long DueBy(long elapsed, long count)
    {
        if (elapsed < 0)
        {
            return 0;
        }

        // The first is due at 0; the (n+1)-th at n / rate. Counting from the offsets themselves keeps this and
        // DueOffset in exact agreement, whatever the rounding.
        var n = (long)Math.Floor(elapsed * Rate / Frequency) + 1;
        while (n < count && DueOffset(n) <= elapsed)
        {
            n++;
        }

        while (n > 0 && DueOffset(n - 1) > elapsed)
        {
            n--;
        }

        return Math.Min(n, count);
    }

    /// <summary>Latency of a request from its due time, in milliseconds.</summary>
    public double LatencyMs(long start, long index, long finished) => (finished - (start + DueOffset(index))) * 1000.0 / Frequency;
}
