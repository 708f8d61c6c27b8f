using System.Diagnostics;
using System.Globalization;
using Drover.Bench;

namespace Drover.GatewayBench.Profiling;

/// <summary>Samples a process with <c>perf record -g</c> while a load runs, then reads the report.</summary>
internal static class PerfRecorder
{
    /// <summary>Whether perf is installed and may sample processes here.</summary>
    public static bool Available()
    {
        try
        {
            using var perf = Process.Start(new ProcessStartInfo("perf", "--version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            perf.WaitForExit();
            return perf.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>Records <paramref name="pid"/> for <paramref name="seconds"/> while <paramref name="load"/> runs; returns the report text.</summary>
    public static async Task<string> RecordAsync(int pid, double seconds, string output, Func<Task> load)
    {
        ArgumentNullException.ThrowIfNull(load);
        var data = output + ".data";
        await using (var record = ChildProcess.Start(
            "perf",
            ["record", "-F", "1999", "-g", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", data, "--", "sleep", seconds.ToString("0.#", CultureInfo.InvariantCulture)],
            output + ".record.log"))
        {
            await load();
            var code = await record.WaitForExitAsync(TimeSpan.FromSeconds(seconds + 30)) ?? await record.StopAsync(TimeSpan.FromSeconds(10));
            if (code != 0)
            {
                throw new InvalidOperationException($"perf record exited with {code}; see {output}.record.log");
            }
        }

        var report = new ProcessStartInfo("perf", ["report", "-i", data, "--stdio", "--children", "--sort", "symbol", "-g", "none", "--percent-limit", "0.2"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var perf = Process.Start(report)!;
        var text = await perf.StandardOutput.ReadToEndAsync();
        await perf.WaitForExitAsync();
        await File.WriteAllTextAsync(output + ".txt", text);
        return text;
    }
}
