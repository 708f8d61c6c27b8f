using System.Diagnostics;
using System.Globalization;

namespace Drover.Bench;

/// <summary>A process's memory and CPU as Linux reports them in <c>/proc</c>.</summary>
/// <param name="RssMb">Resident set now (VmRSS).</param>
/// <param name="PeakRssMb">Largest resident set so far (VmHWM).</param>
/// <param name="CpuSeconds">User plus system CPU time so far.</param>
internal readonly record struct ProcessSample(double RssMb, double PeakRssMb, double CpuSeconds)
{
    private static readonly Lazy<long> ClockTicks = new(ReadClockTicks);

    /// <summary>Reads <c>/proc/PID/status</c> and <c>/proc/PID/stat</c>.</summary>
    public static ProcessSample Of(int pid)
    {
        var status = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status");
        var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        return Parse(status, stat, ClockTicks.Value);
    }

    /// <summary>The pure part of <see cref="Of"/>: VmRSS and VmHWM in kB, utime and stime in clock ticks.</summary>
    public static ProcessSample Parse(string status, string stat, long clockTicks)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(stat);
        double rss = 0, peak = 0;
        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line) / 1024.0;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line) / 1024.0;
            }
        }

        // The command name (field 2) is in parentheses and may hold spaces; fields are counted after its closing one.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return new ProcessSample(rss, peak, (utime + stime) / (double)clockTicks);
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private static long ReadClockTicks()
    {
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true })!;
            var text = getconf.StandardOutput.ReadToEnd().Trim();
            getconf.WaitForExit();
            return long.TryParse(text, CultureInfo.InvariantCulture, out var ticks) && ticks > 0 ? ticks : 100;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // USER_HZ is 100 on every mainstream Linux architecture.
            return 100;
        }
    }
}
