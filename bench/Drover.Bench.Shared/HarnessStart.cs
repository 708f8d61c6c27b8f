using System.Runtime.InteropServices;

namespace Drover.Bench;

/// <summary>What every harness checks before it measures, each failure said on stderr as <c>tool: why</c>.</summary>
internal static class HarnessStart
{
    /// <summary>The repository the current directory is in; null, after saying so, outside one.</summary>
    public static string? Repository(string tool)
    {
        var repository = Bench.Repository.Find(Directory.GetCurrentDirectory());
        if (repository is null)
        {
            Console.Error.WriteLine($"{tool}: run from inside the repository (no Operator.sln found above the current directory)");
        }

        return repository;
    }

    /// <summary>Whether every file the run needs exists; if not, says which are missing and that <paramref name="builder"/> builds them.</summary>
    /// <param name="tool">The harness, as its messages start.</param>
    /// <param name="builder">The command that builds the files, for example <c>make bench</c>.</param>
    /// <param name="files">Each file the chosen options may need: whether they do, its path, what it is, and what makes it when not the builder alone.</param>
    public static bool FilesExist(string tool, string builder, params (bool Needed, string Path, string What, string? MadeBy)[] files)
    {
        var missing = files
            .Where(f => f.Needed && !File.Exists(f.Path))
            .Select(f => f.MadeBy is null ? $"{f.What} {f.Path}" : $"{f.What} {f.Path} ({f.MadeBy})")
            .ToList();
        if (missing.Count > 0)
        {
            Console.Error.WriteLine($"{tool}: missing {string.Join("; ", missing)} ({builder} builds them)");
        }

        return missing.Count == 0;
    }
}

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM cancel <see cref="Token"/> instead of ending the process, so that a harness stops every
/// process it started on the way out.
/// </summary>
internal sealed class SignalCancellation : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    public SignalCancellation()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
    }

    public CancellationToken Token => _cancel.Token;

    public bool IsCancellationRequested => _cancel.IsCancellationRequested;

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _cancel.Dispose();
    }

    private void Cancel(PosixSignalContext signal)
    {
        signal.Cancel = true;
        _cancel.Cancel();
    }
}
