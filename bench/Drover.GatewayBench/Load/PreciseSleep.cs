using System.Runtime.InteropServices;

namespace Drover.GatewayBench.Load;

/// <summary>
/// Sleeps shorter than a millisecond. The open-loop sender must wake close to each due time without spinning a core
/// of a two-core machine that the gateway under test needs; <see cref="Thread.Sleep(int)"/> rounds to whole
/// milliseconds, <c>usleep</c> wakes within the kernel's timer slack (tens of microseconds).
/// </summary>
internal static partial class PreciseSleep
{
    public static void For(long microseconds)
    {
        if (microseconds <= 0)
        {
            return;
        }

        if (!OperatingSystem.IsLinux())
        {
            Thread.Sleep(TimeSpan.FromMicroseconds(Math.Max(1000, microseconds)));
            return;
        }

        _ = USleep((uint)Math.Min(microseconds, 1_000_000));
    }

    [LibraryImport("libc", EntryPoint = "usleep")]
    private static partial int USleep(uint microseconds);
}
