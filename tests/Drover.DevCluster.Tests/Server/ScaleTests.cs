using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Tests.Server;

/// <summary>The store under the load the operator benchmark puts on it: ten thousand objects.</summary>
public class ScaleTests : ClusterTestBase
{
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";

    [Fact]
    public async Task Ten_thousand_objects_go_through_create_list_watch_and_delete_in_seconds()
    {
        var watch = Stopwatch.StartNew();
        using var stream = await WatchAsync($"{ConfigMaps}?watch=true&resourceVersion=1");
        var owner = await CreateOkAsync("/apis/apps/v1/namespaces/default/deployments", Deployment("owner"));
        var ownerReference = new JsonArray(new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["name"] = "owner",
            ["uid"] = owner["metadata"]!["uid"]!.GetValue<string>(),
            ["controller"] = true,
        });
        await Parallel.ForEachAsync(Enumerable.Range(0, 10_000), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var body = ConfigMap($"cm-{i:D5}", labels: new JsonObject { ["shard"] = (i % 10).ToString() });
            body["metadata"]!["ownerReferences"] = ownerReference.DeepClone();
            var reply = await PostAsync(ConfigMaps, body);
            Assert.Equal(HttpStatusCode.Created, reply.Status);
        });
        var created = watch.Elapsed;

        var all = await GetAsync(ConfigMaps);
        Assert.Equal(10_000, all.Json!["items"]!.AsArray().Count);
        var shard = await GetAsync($"{ConfigMaps}?labelSelector=shard%3D3");
        Assert.Equal(1_000, shard.Json!["items"]!.AsArray().Count);

        var seen = 0;
        while (seen < 10_000)
        {
            var next = await stream.NextAsync();
            Assert.Equal("ADDED", next!.Value.Type);
            seen++;
        }

        var listed = watch.Elapsed;
        await DeleteAsync("/apis/apps/v1/namespaces/default/deployments/owner");
        await EventuallyAsync(async () => (await GetAsync($"{ConfigMaps}?limit=1")).Json!["items"]!.AsArray().Count == 0, "the garbage collector to remove every dependent", 60);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(90), $"took {watch.Elapsed} (creates {created}, listed and watched by {listed})");
    }
}
