namespace Drover.ControllerRuntime.Queue;

/// <summary>What .NET timers accept, so delays computed from user input (a cron months away) can be kept within it.</summary>
public static class TimerLimits
{
    /// <summary>The longest due time a timer accepts: 2^32 - 2 milliseconds, about 49.7 days. Longer ones throw.</summary>
    public static TimeSpan MaxDelay { get; } = TimeSpan.FromMilliseconds(uint.MaxValue - 1);
}
