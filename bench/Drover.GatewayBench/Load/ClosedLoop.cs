using System.Diagnostics;

namespace Drover.GatewayBench.Load;

/// <summary>
/// A fixed number of callers, each sending its next request as soon as its last one is answered, for a fixed time: the
/// throughput a path gives that many callers. Latency is from each send.
/// </summary>
internal static class ClosedLoop
{
    /// <param name="client">The path.</param>
    /// <param name="body">The request body.</param>
    /// <param name="stream">Whether the answer is streamed.</param>
    /// <param name="concurrency">Callers.</param>
    /// <param name="duration">How long they call at most.</param>
    /// <param name="stopAfter">Seen after each answer; true ends the run early (the budget phase stops once refused).</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    public static async Task<LoadSample> RunAsync(
        PathClient client, ReadOnlyMemory<byte> body, bool stream, int concurrency, TimeSpan duration, Func<CallOutcome, bool>? stopAfter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var start = Stopwatch.GetTimestamp();
        var stop = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(duration + OpenLoop.Drain);
        var stopped = 0;
        var callers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            await Task.Yield();
            var mine = new List<(long, CallOutcome)>();
            while (Stopwatch.GetTimestamp() < stop && Volatile.Read(ref stopped) == 0 && !cancellationToken.IsCancellationRequested)
            {
                var outcome = await client.CallAsync(body, stream, timeout.Token);
                mine.Add((outcome.Sent, outcome));
                if (stopAfter?.Invoke(outcome) == true)
                {
                    Volatile.Write(ref stopped, 1);
                }
            }

            return mine;
        }).ToList();
        var all = (await Task.WhenAll(callers)).SelectMany(c => c).ToList();
        cancellationToken.ThrowIfCancellationRequested();
        var end = all.Count == 0 ? Stopwatch.GetTimestamp() : all.Max(c => c.Item2.Finished);
        return new LoadSample(all, start, end);
    }
}
