namespace Drover.Scenarios.Packaging;

/// <summary>Where the repository, its packaging sources and the tools installed by hack/tools.sh are.</summary>
internal static class RepositoryLayout
{
    public static string Root { get; } = FindRoot();

    public static string Chart => Path.Combine(Root, "charts", "drover");
    public static string Crds => Path.Combine(Root, "crds");
    public static string Config => Path.Combine(Root, "config");
    public static string EveryOptionValues => Path.Combine(Root, "tests", "Drover.Scenarios", "Packaging", "values-every-option.yaml");
    public static string Helm => Path.Combine(Root, ".tools", "bin", "helm");
    public static string Kubectl => Path.Combine(Root, ".tools", "bin", "kubectl");
    public static string Validator => Path.Combine(Root, "hack", "validate-manifests.mjs");
    public static string LuaVm => Path.Combine(NodeModules, "fengari");
    public static string ArgoCdHealthDoc => Path.Combine(Root, "docs", "argocd-health.md");
    private static string NodeModules => Path.Combine(Root, ".tools", "node_modules");

    /// <summary>Null when every tool in <paramref name="needs"/> is present, else why the test cannot run.</summary>
    public static string? MissingTools(PackagingTool needs)
    {
        var missing = new List<string>();
        if (needs.HasFlag(PackagingTool.Helm) && !File.Exists(Helm))
        {
            missing.Add(".tools/bin/helm");
        }
        if (needs.HasFlag(PackagingTool.Kubectl) && !File.Exists(Kubectl))
        {
            missing.Add(".tools/bin/kubectl");
        }
        if (needs.HasFlag(PackagingTool.Validator))
        {
            if (FindOnPath("node") is null)
            {
                missing.Add("node on PATH");
            }
            if (!Directory.Exists(Path.Combine(NodeModules, "kubernetes-models")))
            {
                missing.Add(".tools/node_modules/kubernetes-models");
            }
        }
        if (needs.HasFlag(PackagingTool.LuaVm))
        {
            if (FindOnPath("node") is null && !needs.HasFlag(PackagingTool.Validator))
            {
                missing.Add("node on PATH");
            }
            if (!Directory.Exists(LuaVm))
            {
                missing.Add(".tools/node_modules/fengari");
            }
        }
        var reasons = new List<string>();
        if (missing.Count > 0)
        {
            reasons.Add($"needs {string.Join(", ", missing)}: run `bash hack/tools.sh` (make tools)");
        }
        if (needs.HasFlag(PackagingTool.PublishedOperator) && !File.Exists(PublishedOperator.BinaryPath))
        {
            reasons.Add($"needs {Path.GetRelativePath(Root, PublishedOperator.BinaryPath)}: run make publish first");
        }
        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }

    public static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Operator.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no Operator.sln above {AppContext.BaseDirectory}");
    }
}
