using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Drover.DevCluster;

namespace Drover.Scenarios.Packaging;

/// <summary>
/// A dev cluster (with the simulated kubelet, which marks Deployments available but runs no containers) that the
/// real helm and kubectl reach through a kubeconfig, as they would reach any cluster.
/// </summary>
internal sealed partial class ChartCluster : IAsyncDisposable
{
    private readonly DirectoryInfo _scratch;

    private ChartCluster(DevClusterServer server, DirectoryInfo scratch)
    {
        Server = server;
        _scratch = scratch;
        Kubeconfig = server.WriteKubeconfig(Path.Combine(scratch.FullName, "kubeconfig"));
    }

    public DevClusterServer Server { get; }

    public string Kubeconfig { get; }

    public static async Task<ChartCluster> StartAsync() =>
        new(
            await DevClusterServer.StartAsync(new DevClusterOptions { SimulateKubelet = true, RolloutDelay = TimeSpan.FromMilliseconds(100) }),
            Directory.CreateTempSubdirectory("drover-chart-cluster-"));

    public ToolResult Helm(params string[] args) => ToolRun.Helm([.. args, "--kubeconfig", Kubeconfig]);

    public ToolResult Kubectl(params string[] args) => ToolRun.Kubectl([.. args, "--kubeconfig", Kubeconfig]);

    /// <summary><c>kubectl get ARGS -o json</c>, which must succeed.</summary>
    public JsonObject Get(params string[] args) => JsonNode.Parse(Kubectl(["get", .. args, "-o", "json"]).Succeeded())!.AsObject();

    /// <summary>The items of <c>kubectl get ARGS -o json</c>.</summary>
    public IReadOnlyList<JsonObject> List(params string[] args) => [.. Get(args)["items"]!.AsArray().Select(i => i!.AsObject())];

    /// <summary>
    /// Objects read straight from the dev cluster's store, not over HTTP, so waiting on them adds nothing to the
    /// request counters that record what the operator asked of the API server.
    /// </summary>
    public IReadOnlyList<JsonObject> Stored(string group, string version, string plural)
    {
        var type = Server.Operations.Catalog.Find(group, version, plural);
        return type is null
            ? []
            : [.. Server.Operations.ObjectStore.List(type.StorageKey, null).Items.Select(o => JsonNode.Parse(o.Json)!.AsObject())];
    }

    /// <summary>
    /// A name for pod <paramref name="index"/> of the Deployment as the ReplicaSet controller would give it: the
    /// current ReplicaSet's name (which the Deployment's Progressing condition reports) and a suffix, readable here
    /// where a real one is random.
    /// </summary>
    public static string PodName(JsonObject deployment, int index)
    {
        var progressing = deployment["status"]?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c!["type"] == "Progressing");
        var match = ReplicaSetName().Match((string?)progressing?["message"] ?? "");
        Assert.True(match.Success, $"the Deployment reports no ReplicaSet yet: {deployment["status"]}");
        return $"{match.Groups[1].Value}-replica{index}";
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _scratch.Delete(recursive: true);
    }

    [GeneratedRegex("ReplicaSet \"([^\"]+)\"")]
    private static partial Regex ReplicaSetName();
}
