using Microsoft.Extensions.Time.Testing;

namespace Drover.ControllerRuntime.Tests;

/// <summary>
/// A fake clock that counts the timers code under test creates, so a test can advance time and then wait (with a
/// real-time deadline) until the loops it drives have reacted and armed their next timer.
/// </summary>
public sealed class SteppingTimeProvider : FakeTimeProvider
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private int _timersCreated;

    public SteppingTimeProvider()
        : base(DateTimeOffset.Parse("2025-01-01T00:00:00Z"))
    {
    }

    public int TimersCreated => Volatile.Read(ref _timersCreated);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref _timersCreated);
        return base.CreateTimer(callback, state, dueTime, period);
    }

    /// <summary>Waits until at least <paramref name="count"/> timers exist in total (code under test is parked again).</summary>
    public async Task WaitForTimersAsync(int count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (TimersCreated < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Expected {count} timers, saw {TimersCreated}.");
            }

            await Task.Delay(1);
        }
    }

    /// <summary>Advances by <paramref name="step"/> and waits until <paramref name="loops"/> more timers were armed.</summary>
    public async Task StepAsync(TimeSpan step, int loops)
    {
        var before = TimersCreated;
        Advance(step);
        await WaitForTimersAsync(before + loops);
    }
}
