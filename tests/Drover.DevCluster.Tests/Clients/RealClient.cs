using System.Diagnostics;
using System.Text;

namespace Drover.DevCluster.Tests.Clients;

/// <summary>Runs kubectl or helm from the repository's <c>.tools/bin</c> against a kubeconfig, in a private HOME.</summary>
public sealed class RealClient : IDisposable
{
    private readonly string _tool;
    private readonly string _home;
    private readonly string _kubeconfig;

    public RealClient(string tool, DevClusterServer server)
    {
        _tool = Find(tool) ?? throw new InvalidOperationException($"{tool} is not installed");
        _home = Path.Combine(Path.GetTempPath(), $"drover-{tool}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_home);
        _kubeconfig = server.WriteKubeconfig(Path.Combine(_home, "kubeconfig"));
    }

    /// <summary>The repository root (where Operator.sln lives), found from the test binaries upwards.</summary>
    public static string? RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Operator.sln")))
                {
                    return dir.FullName;
                }
            }

            return null;
        }
    }

    public static string? Find(string tool)
    {
        var root = RepositoryRoot;
        var path = root is null ? null : Path.Combine(root, ".tools", "bin", tool);
        return path is not null && File.Exists(path) ? path : null;
    }

    public async Task<Result> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(_tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot!,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["KUBECONFIG"] = _kubeconfig;
        start.Environment["HOME"] = _home;
        start.Environment["HELM_CACHE_HOME"] = Path.Combine(_home, "cache");
        start.Environment["HELM_CONFIG_HOME"] = Path.Combine(_home, "config");
        start.Environment["HELM_DATA_HOME"] = Path.Combine(_home, "data");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(_tool)} {string.Join(' ', args)} did not finish in 90 s");
        }

        return new Result(process.ExitCode, await stdout, await stderr, $"{Path.GetFileName(_tool)} {string.Join(' ', args)}");
    }

    /// <summary>Runs and fails the test, showing the output, unless the command succeeds.</summary>
    public async Task<string> OkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, result.Describe());
        return result.Stdout;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary directory is harmless.
        }
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr, string Command)
    {
        public string Describe()
        {
            var text = new StringBuilder();
            text.Append(Command).Append(" exited ").Append(ExitCode).Append('\n');
            text.Append("stdout:\n").Append(Stdout).Append("\nstderr:\n").Append(Stderr);
            return text.ToString();
        }
    }
}
