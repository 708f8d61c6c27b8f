using System.Diagnostics;

namespace Drover.GatewayBench.Load;

/// <summary>
/// Sends at a fixed rate for a fixed time whatever the answers do (an open loop, as callers that do not wait for each
/// other behave). A sender thread wakes for each due time; requests above <c>maxInFlight</c> wait for a slot, and
/// their latency still counts from their due time.
/// </summary>
internal static class OpenLoop
{
    /// <summary>How long the last requests may take once every one is sent; those still running then count as timed out.</summary>
    public static readonly TimeSpan Drain = TimeSpan.FromSeconds(30);

    public static async Task<LoadSample> RunAsync(PathClient client, ReadOnlyMemory<byte> body, bool stream, double rate, TimeSpan duration, int maxInFlight, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var schedule = new OpenLoopSchedule(rate, Stopwatch.Frequency);
        var count = schedule.Count(duration);
        var calls = new (long Due, CallOutcome Outcome)[count];
        var inFlight = 0;
        var finished = 0L;
        var allDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var allSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var start = 0L;

        async Task SendAsync(long index, long due)
        {
            var outcome = await client.CallAsync(body, stream, timeout.Token);
            calls[index] = (due, outcome);
            Interlocked.Decrement(ref inFlight);
            if (Interlocked.Increment(ref finished) == count)
            {
                allDone.TrySetResult();
            }
        }

        // A thread of its own: the thread pool is busy with the answers, and the sender must not queue behind them.
        var sender = new Thread(() =>
        {
            start = Stopwatch.GetTimestamp();
            for (long i = 0; i < count && !cancellationToken.IsCancellationRequested; i++)
            {
                var due = start + schedule.DueOffset(i);
                var ahead = due - Stopwatch.GetTimestamp();
                if (ahead > 0)
                {
                    PreciseSleep.For(ahead * 1_000_000 / Stopwatch.Frequency);
                }

                while (Volatile.Read(ref inFlight) >= maxInFlight && !cancellationToken.IsCancellationRequested)
                {
                    PreciseSleep.For(100);
                }

                Interlocked.Increment(ref inFlight);
                _ = SendAsync(i, due);
            }

            allSent.TrySetResult();
        })
        {
            IsBackground = true,
            Name = "open-loop sender",
            Priority = ThreadPriority.AboveNormal,
        };
        sender.Start();
        await allSent.Task.WaitAsync(cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        timeout.CancelAfter(Drain);
        await allDone.Task.WaitAsync(cancellationToken);
        var end = calls.Max(c => c.Outcome.Finished);
        return new LoadSample(calls, start, end);
    }
}
