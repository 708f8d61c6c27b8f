using System.Text.Json.Nodes;
using Drover.DevCluster.Tests.Server;

namespace Drover.DevCluster.Tests.Workloads;

/// <summary>A dev cluster with the simulated controllers and kubelet, and helpers to read what they made.</summary>
public abstract class WorkloadTestBase : ClusterTestBase
{
    protected const string Deployments = "/apis/apps/v1/namespaces/default/deployments";
    protected const string ReplicaSets = "/apis/apps/v1/namespaces/default/replicasets";
    protected const string Pods = "/api/v1/namespaces/default/pods";
    protected const string Jobs = "/apis/batch/v1/namespaces/default/jobs";

    protected override DevClusterOptions Options => new()
    {
        SimulateKubelet = true,
        RolloutDelay = TimeSpan.FromMilliseconds(200),
        RestartBackOff = TimeSpan.FromMilliseconds(200),
    };

    protected static JsonObject DeploymentWith(string name, int replicas, JsonObject? strategy, string image = "nginx:1")
    {
        var deployment = Deployment(name, replicas, image);
        if (strategy is not null)
        {
            deployment["spec"]!["strategy"] = strategy;
        }

        return deployment;
    }

    protected static JsonObject Rolling(JsonNode maxSurge, JsonNode maxUnavailable) => new()
    {
        ["type"] = "RollingUpdate",
        ["rollingUpdate"] = new JsonObject { ["maxSurge"] = maxSurge, ["maxUnavailable"] = maxUnavailable },
    };

    protected async Task<JsonObject> GetOkAsync(string path)
    {
        var reply = await GetAsync(path);
        Assert.True(reply.Json is not null, $"GET {path}: {(int)reply.Status} {reply.Text}");
        return reply.Json!;
    }

    protected async Task<List<JsonObject>> ListAsync(string path, string? labelSelector = null)
    {
        var query = labelSelector is null ? string.Empty : "?labelSelector=" + Uri.EscapeDataString(labelSelector);
        var list = await GetOkAsync(path + query);
        return [.. list["items"]!.AsArray().Select(i => i!.AsObject())];
    }

    protected Task<JsonObject> DeploymentAsync(string name) => GetOkAsync($"{Deployments}/{name}");

    /// <summary>What <c>kubectl rollout status</c> waits for: the latest generation fully rolled out and available.</summary>
    protected static bool RolledOut(JsonObject deployment)
    {
        var status = deployment["status"];
        var replicas = deployment["spec"]!["replicas"]!.GetValue<long>();
        long Count(string field) => status?[field]?.GetValue<long>() ?? 0;
        return status?["observedGeneration"]?.GetValue<long>() >= Generation(deployment)
            && Count("updatedReplicas") == replicas
            && Count("replicas") == replicas
            && Count("availableReplicas") == replicas;
    }

    protected async Task<JsonObject> RolledOutAsync(string name, int seconds = 10)
    {
        await EventuallyAsync(async () => RolledOut(await DeploymentAsync(name)), $"deployment {name} to roll out", seconds);
        return await DeploymentAsync(name);
    }

    protected static JsonObject? Condition(JsonNode? obj, string type) =>
        obj?["status"]?["conditions"]?.AsArray().FirstOrDefault(c => c!["type"]!.GetValue<string>() == type)?.AsObject();

    protected static string? Text(JsonNode? node, params string[] path)
    {
        foreach (var segment in path)
        {
            node = node?[segment];
        }

        return node?.GetValue<string>();
    }

    protected static long? Number(JsonNode? node, params string[] path)
    {
        foreach (var segment in path)
        {
            node = node?[segment];
        }

        return node?.GetValue<long>();
    }

    protected Task PatchTemplateImageAsync(string deployment, string image) =>
        PatchAsync($"{Deployments}/{deployment}", new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["template"] = new JsonObject
                {
                    ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "main", ["image"] = image }) },
                },
            },
        });

    /// <summary>
    /// Follows the pods matching a selector from now on (a list, then a watch from its resourceVersion), so a test
    /// sees every pod that existed at any moment, in order.
    /// </summary>
    protected async Task<PodCensus> CensusAsync(string labelSelector)
    {
        var list = await GetOkAsync($"{Pods}?labelSelector={Uri.EscapeDataString(labelSelector)}");
        var names = list["items"]!.AsArray().Select(p => p!["metadata"]!["name"]!.GetValue<string>());
        var rv = list["metadata"]!["resourceVersion"]!.GetValue<string>();
        var watch = await WatchAsync($"{Pods}?watch=true&resourceVersion={rv}&labelSelector={Uri.EscapeDataString(labelSelector)}");
        return new PodCensus(watch, names);
    }
}

/// <summary>The pods alive at each moment of a watch: how many at most and at least, and the order they came and went.</summary>
public sealed class PodCensus : IDisposable
{
    private readonly WatchReader _watch;
    private readonly HashSet<string> _alive;

    public PodCensus(WatchReader watch, IEnumerable<string> alive)
    {
        _watch = watch;
        _alive = [.. alive];
        Most = _alive.Count;
        Fewest = _alive.Count;
    }

    public int Most { get; private set; }

    public int Fewest { get; private set; }

    /// <summary>ADDED and DELETED, with the pod's name, in the order they happened.</summary>
    public List<(string Type, string Name)> Changes { get; } = [];

    /// <summary>Reads events until the pods alive are exactly <paramref name="expected"/>.</summary>
    public async Task FollowUntilAsync(IEnumerable<string> expected)
    {
        var target = expected.ToHashSet();
        while (!_alive.SetEquals(target))
        {
            var next = await _watch.NextAsync(10_000) ?? throw new InvalidOperationException("the pod watch ended");
            var name = next.Object["metadata"]!["name"]!.GetValue<string>();
            switch (next.Type)
            {
                case "ADDED":
                    _alive.Add(name);
                    Changes.Add(("ADDED", name));
                    break;
                case "DELETED":
                    _alive.Remove(name);
                    Changes.Add(("DELETED", name));
                    break;
                default:
                    continue;
            }

            Most = Math.Max(Most, _alive.Count);
            Fewest = Math.Min(Fewest, _alive.Count);
        }
    }

    public void Dispose() => _watch.Dispose();
}
