using System.Diagnostics;

namespace Drover.Scenarios.Support;

/// <summary>What some stories need from the machine, and why they skip without it.</summary>
internal static class Preconditions
{
    public static string? NodeValidatorMissing()
    {
        if (!OnPath("node"))
        {
            return "node is not on PATH; the kubernetes-models validator needs it";
        }

        return Directory.Exists(Repository.Path(".tools", "node_modules", "kubernetes-models"))
            ? null
            : ".tools/node_modules/kubernetes-models is missing; run hack/tools.sh (make test does)";
    }

    public static string? DockerMissing()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (!string.IsNullOrEmpty(host))
        {
            return null;
        }

        return File.Exists("/var/run/docker.sock")
            ? null
            : "Docker is not available (no DOCKER_HOST and no /var/run/docker.sock); the k3s stories need it";
    }

    public static string? MakeRunToolsMissing()
    {
        foreach (var tool in new[] { "git", "make", "bash", "dotnet" })
        {
            if (!OnPath(tool))
            {
                return $"{tool} is not on PATH; make run from a fresh clone needs it";
            }
        }

        return File.Exists(Repository.Path(".tools", "bin", "kubectl")) || OnPath("npm")
            ? null
            : "neither .tools/bin/kubectl nor npm (to install it) is available";
    }

    public static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Any(dir => File.Exists(Path.Combine(dir, tool)));

    /// <summary>Runs a process to completion with a deadline; returns exit code and combined output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> args, string workingDirectory, TimeSpan deadline, IDictionary<string, string?>? environment = null, string? stdin = null)
    {
        var (exit, output, error) = await RunSplitAsync(file, args, workingDirectory, deadline, environment, stdin);
        return (exit, output + error);
    }

    /// <summary>Runs a process to completion with a deadline; returns exit code, standard output and standard error.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunSplitAsync(string file, IEnumerable<string> args, string workingDirectory, TimeSpan deadline, IDictionary<string, string?>? environment = null, string? stdin = null)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish within {deadline}:\n{await stdout}\n{await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>A fact that skips, saying why, when the kubernetes-models validator is not installed.</summary>
internal sealed class NodeValidatorFactAttribute : FactAttribute
{
    public NodeValidatorFactAttribute()
    {
        if (Preconditions.NodeValidatorMissing() is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A fact that skips, saying why, when Docker is not reachable.</summary>
internal sealed class DockerFactAttribute : FactAttribute
{
    public DockerFactAttribute()
    {
        if (Preconditions.DockerMissing() is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A fact that skips, saying why, when make run cannot be exercised from a clone here.</summary>
internal sealed class MakeRunFactAttribute : FactAttribute
{
    public MakeRunFactAttribute()
    {
        if (Preconditions.MakeRunToolsMissing() is { } reason)
        {
            Skip = reason;
        }
    }
}
