using System.Diagnostics;

namespace Drover.Scenarios.Packaging;

/// <summary>What a finished tool process said.</summary>
internal sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string Describe() => $"exit {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";

    /// <summary>The standard output, after asserting the tool succeeded (the failure message carries both streams).</summary>
    public string Succeeded()
    {
        Assert.True(ExitCode == 0, Describe());
        return StandardOutput;
    }
}

/// <summary>Runs a real tool (helm, kubectl, node) to completion, bounded by a deadline.</summary>
internal static class ToolRun
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    public static ToolResult Helm(params string[] args) => Run(RepositoryLayout.Helm, args);

    public static ToolResult Kubectl(params string[] args) => Run(RepositoryLayout.Kubectl, args);

    /// <summary>Pipes manifests through hack/validate-manifests.mjs.</summary>
    public static ToolResult Validate(string manifests) =>
        Run(RepositoryLayout.FindOnPath("node") ?? "node", [RepositoryLayout.Validator], manifests);

    /// <summary>helm template of the chart as release "drover" in drover-system, plus extra arguments.</summary>
    public static string HelmTemplate(params string[] extra) =>
        Helm(["template", "drover", RepositoryLayout.Chart, "--namespace", "drover-system", .. extra]).Succeeded();

    public static string Kustomize(string directory) =>
        Kubectl("kustomize", Path.Combine(RepositoryLayout.Config, directory)).Succeeded();

    public static ToolResult Run(string program, IReadOnlyList<string> args, string? standardInput = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
            WorkingDirectory = RepositoryLayout.Root,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        // Keep helm away from the developer's own repositories, plugins and kubeconfig.
        var scratch = Path.Combine(Path.GetTempPath(), "drover-packaging-tests");
        start.Environment["HELM_CACHE_HOME"] = Path.Combine(scratch, "cache");
        start.Environment["HELM_CONFIG_HOME"] = Path.Combine(scratch, "config");
        start.Environment["HELM_DATA_HOME"] = Path.Combine(scratch, "data");
        start.Environment["KUBECONFIG"] = Path.Combine(scratch, "no-kubeconfig");

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
            process.StandardInput.Close();
        }
        if (!process.WaitForExit(Deadline))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish within {Deadline}");
        }
        process.WaitForExit();
        return new ToolResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
