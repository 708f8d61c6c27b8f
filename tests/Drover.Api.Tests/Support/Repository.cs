namespace Drover.Tests.Support;

/// <summary>Paths inside the repository the tests run from.</summary>
public static class Repository
{
    /// <summary>The directory holding Operator.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string SamplesDirectory => Path.Combine(Root, "config", "samples");

    public static string CrdDirectory => Path.Combine(Root, "crds");

    /// <summary>Every Kubernetes object in config/samples, with the file it came from.</summary>
    public static IReadOnlyList<(string File, System.Text.Json.Nodes.JsonObject Object)> Samples() =>
    [
        .. Directory.GetFiles(SamplesDirectory, "*.yaml")
            .Order(StringComparer.Ordinal)
            .Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .SelectMany(f => YamlJson.ParseAll(File.ReadAllText(f)).Select(o => (Path.GetFileName(f), (System.Text.Json.Nodes.JsonObject)o))),
    ];

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Operator.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Operator.sln above {AppContext.BaseDirectory}.");
    }
}
