using System.Diagnostics;

namespace Drover.Scenarios.Support;

/// <summary>Polls a condition with a deadline: the one way these tests wait for the operator.</summary>
internal static class Eventually
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, Func<string>? describeLast = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? OperatorScenario.DefaultTimeout;
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (deadline.Elapsed > limit)
            {
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:0}s waiting for {what}." + (describeLast is null ? "" : " Last seen: " + describeLast()));
            }

            await Task.Delay(PollInterval);
        }
    }
}
