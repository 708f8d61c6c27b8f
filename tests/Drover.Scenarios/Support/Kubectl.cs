using Drover.DevCluster;
using Drover.Scenarios.Packaging;

namespace Drover.Scenarios.Support;

/// <summary>The real kubectl from .tools/bin, pointed at one dev cluster through a kubeconfig of its own.</summary>
internal sealed class Kubectl : IDisposable
{
    private readonly string _directory;
    private readonly string _kubeconfig;

    public Kubectl(DevClusterServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        _directory = Directory.CreateTempSubdirectory("drover-kubectl-").FullName;
        _kubeconfig = server.WriteKubeconfig(Path.Combine(_directory, "kubeconfig"));
    }

    /// <summary>Runs kubectl with <paramref name="args"/>, the YAML of <paramref name="stdin"/> on its standard input.</summary>
    public async Task<ToolResult> RunAsync(IReadOnlyList<string> args, string? stdin = null)
    {
        var (exit, output, error) = await Preconditions.RunSplitAsync(
            RepositoryLayout.Kubectl,
            args,
            Repository.Root,
            TimeSpan.FromMinutes(1),
            new Dictionary<string, string?> { ["KUBECONFIG"] = _kubeconfig, ["HOME"] = _directory },
            stdin);
        return new ToolResult(exit, output, error);
    }

    /// <summary>Runs kubectl and returns its standard output, failing the test with both streams unless it exits 0.</summary>
    public async Task<string> OkAsync(params string[] args) => (await RunAsync(args)).Succeeded();

    /// <summary><c>kubectl apply -f -</c> of <paramref name="yaml"/>, as a user applies a file they wrote.</summary>
    public async Task<string> ApplyAsync(string yaml) => (await RunAsync(["apply", "-f", "-"], yaml)).Succeeded();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>The header of a <c>kubectl get</c> table.</summary>
    public static IReadOnlyList<string> Header(string table) =>
        table.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// The rows of a <c>kubectl get</c> table, by column name. Cells are cut at the header's column starts, as kubectl
    /// aligns them, so a value with spaces (a cron expression) stays one cell.
    /// </summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Rows(string table)
    {
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0];
        var starts = System.Text.RegularExpressions.Regex.Matches(header, @"\S+").Select(m => (m.Value, m.Index)).ToList();
        return [.. lines.Skip(1).Select(line => (IReadOnlyDictionary<string, string>)starts.Select((column, i) =>
        {
            var end = i + 1 < starts.Count ? Math.Min(starts[i + 1].Index, line.Length) : line.Length;
            var cell = column.Index < line.Length ? line[column.Index..end].Trim() : "";
            return (column.Value, cell);
        }).ToDictionary(c => c.Value, c => c.cell, StringComparer.Ordinal))];
    }
}
