using System.Diagnostics;
using System.Globalization;

namespace Drover.Bench;

/// <summary>
/// A process the harness started (the dev cluster or the operator), its output copied line by line into a log file,
/// stopped with SIGTERM as a supervisor would.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private const int FirstLinesKept = 200;
    private readonly Process _process;
    private readonly StreamWriter? _log;
    private readonly Lock _gate = new();
    private readonly List<(string Prefix, TaskCompletionSource<string> Line)> _waiters = [];

    // The first lines, for a wait that begins after its line was printed (the dev cluster's address comes early).
    private readonly List<string> _firstLines = [];

    private ChildProcess(Process process, StreamWriter? log, long startedAt)
    {
        _process = process;
        _log = log;
        StartedAt = startedAt;
    }

    public int Id => _process.Id;

    /// <summary>The <see cref="Stopwatch"/> timestamp taken just before the process was started.</summary>
    public long StartedAt { get; }

    public bool HasExited => _process.HasExited;

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string logPath, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
        var log = new StreamWriter(logPath, append: false) { AutoFlush = false };
        var process = new Process { StartInfo = start };
        var startedAt = Stopwatch.GetTimestamp();
        process.Start();
        var child = new ChildProcess(process, log, startedAt);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>
    /// Starts a process whose output goes straight into <paramref name="logPath"/>: a shell opens the file and execs into
    /// the process, so <see cref="Id"/> is the process's own, its logging costs it rather than the harness, and it never
    /// waits for the harness to read a pipe. Its lines cannot be waited for.
    /// </summary>
    /// <param name="fileName">The program.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="logPath">Where its output goes.</param>
    /// <param name="workingDirectory">Where it runs (created when missing); the harness's own when null.</param>
    /// <param name="environment">Variables set for it on top of the harness's.</param>
    public static ChildProcess StartLoggingToFile(string fileName, IEnumerable<string> arguments, string logPath, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        if (workingDirectory is not null)
        {
            Directory.CreateDirectory(workingDirectory);
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        foreach (var argument in (string[])["-c", "log=$1; shift; exec \"$@\" >\"$log\" 2>&1", "sh", Path.GetFullPath(logPath), fileName])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var startedAt = Stopwatch.GetTimestamp();
        process.Start();
        return new ChildProcess(process, null, startedAt);
    }

    /// <summary>The first output line starting with <paramref name="prefix"/> (from now on), or a failure on exit or timeout.</summary>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout)
    {
        var line = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_firstLines.Find(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } seen)
            {
                return seen;
            }

            _waiters.Add((prefix, line));
        }

        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(line.Task, exited, Task.Delay(timeout));
        if (first == line.Task)
        {
            return await line.Task;
        }

        throw new InvalidOperationException(first == exited
            ? $"{_process.StartInfo.FileName} exited with {_process.ExitCode} before printing \"{prefix}\""
            : $"{_process.StartInfo.FileName} printed no \"{prefix}\" within {timeout.TotalSeconds:0} s");
    }

    public ProcessSample Sample() => ProcessSample.Of(_process.Id);

    /// <summary>The exit code once the process ends by itself within <paramref name="timeout"/>; null if it is still running then.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM and waits for the exit; kills the process if it has not stopped within the grace period.</summary>
    public async Task<int> StopAsync(TimeSpan grace)
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var deadline = new CancellationTokenSource(grace);
            try
            {
                await _process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
                return -1;
            }
        }

        // The exit event can precede the last output lines; WaitForExit without a timeout drains them.
        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        lock (_gate)
        {
            _log?.Flush();
            _log?.Dispose();
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            try
            {
                _log?.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            if (_firstLines.Count < FirstLinesKept)
            {
                _firstLines.Add(line);
            }

            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (line.StartsWith(_waiters[i].Prefix, StringComparison.Ordinal))
                {
                    _waiters[i].Line.TrySetResult(line);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
