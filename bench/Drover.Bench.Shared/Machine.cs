using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Drover.Bench;

/// <summary>Describes the machine a run came from, so results are compared like with like.</summary>
internal static class Machine
{
    public static MachineInfo Describe(string repository) => new()
    {
        Cpu = CpuModel(),
        Cores = Environment.ProcessorCount,
        MemoryGb = MemoryGb(),
        Os = OsName(),
        Dotnet = RuntimeInformation.FrameworkDescription,
        Commit = Commit(repository),
    };

    /// <summary>The 1, 5 and 15 minute load averages: how busy others kept the machine's cores.</summary>
    public static string LoadAverage()
    {
        var fields = ReadLines("/proc/loadavg").FirstOrDefault()?.Split(' ') ?? [];
        return fields.Length >= 3 ? string.Join(" ", fields[..3]) : "unknown";
    }

    private static string CpuModel()
    {
        var line = ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    private static double MemoryGb()
    {
        var line = ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return line is null ? 0 : Math.Round(long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0, 1);
    }

    private static string OsName()
    {
        var pretty = ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
        var name = pretty is null ? RuntimeInformation.OSDescription : pretty["PRETTY_NAME=".Length..].Trim('"');
        var kernel = ReadLines("/proc/sys/kernel/osrelease").FirstOrDefault();
        return kernel is null ? name : $"{name} (Linux {kernel.Trim()})";
    }

    private static string Commit(string repository)
    {
        var head = Git(repository, "rev-parse", "--short=12", "HEAD") ?? "unknown";
        var dirty = Git(repository, "status", "--porcelain", "--untracked-files=no") is { Length: > 0 };
        return dirty ? head + " (with uncommitted changes)" : head;
    }

    private static string? Git(string repository, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = repository };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            using var git = Process.Start(start)!;
            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static IEnumerable<string> ReadLines(string path) => File.Exists(path) ? File.ReadLines(path) : [];
}

/// <summary>Where and from what the results came.</summary>
internal sealed record MachineInfo
{
    public required string Cpu { get; init; }

    public required int Cores { get; init; }

    public required double MemoryGb { get; init; }

    public required string Os { get; init; }

    public required string Dotnet { get; init; }

    public required string Commit { get; init; }
}
