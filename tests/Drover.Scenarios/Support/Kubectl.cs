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
}
