using System.Diagnostics;

namespace Drover.Gateway.Tests.Support;

/// <summary>Polls a condition with a deadline: how these tests wait for the gateway to see a change.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            if (deadline.Elapsed > limit)
            {
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:0}s waiting for {what}.");
            }

            await Task.Delay(50);
        }
    }
}
