using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Tests.Server;

/// <summary>Events live for a time-to-live after their last write, as under a real API server's etcd lease.</summary>
public class EventExpiryTests : ClusterTestBase
{
    private const string Events = "/api/v1/namespaces/default/events";

    protected override DevClusterOptions Options => new() { EventTtl = TimeSpan.FromSeconds(2) };

    private static JsonObject Event(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Event",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["involvedObject"] = new JsonObject { ["kind"] = "ConfigMap", ["name"] = "settings", ["namespace"] = "default" },
        ["reason"] = "Tested",
        ["message"] = "a warning that persists",
        ["type"] = "Warning",
        ["count"] = 1,
    };

    [Fact]
    public async Task An_event_is_deleted_after_its_ttl_and_a_patch_to_it_then_gets_404()
    {
        var clock = Stopwatch.StartNew();
        var created = await CreateOkAsync(Events, Event("short-lived"));
        using var watch = await WatchAsync($"{Events}?watch=true&resourceVersion={Rv(created)}");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync($"{Events}/short-lived")).Status);

        var deleted = await watch.NextAsync(10_000);
        Assert.Equal("DELETED", deleted?.Type);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.9), $"deleted after {clock.Elapsed}, before its time to live");
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"{Events}/short-lived")).Status);

        var patch = await PatchAsync($"{Events}/short-lived", JsonNode.Parse("""{"count":2}""")!);
        Assert.Equal(HttpStatusCode.NotFound, patch.Status);
        Assert.Equal("events \"short-lived\" not found", patch.Message);
    }

    [Fact]
    public async Task Every_write_restarts_the_ttl()
    {
        await CreateOkAsync(Events, Event("renewed"));
        await CreateOkAsync(Events, Event("left-alone"));
        var clock = Stopwatch.StartNew();
        await EventuallyAsync(() => Task.FromResult(clock.Elapsed >= TimeSpan.FromSeconds(1)), "a second to pass");
        Assert.Equal(HttpStatusCode.OK, (await PatchAsync($"{Events}/renewed", JsonNode.Parse("""{"count":2}""")!)).Status);

        await EventuallyAsync(async () => (await GetAsync($"{Events}/left-alone")).Status == HttpStatusCode.NotFound, "the untouched event to expire");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync($"{Events}/renewed")).Status);
        await EventuallyAsync(async () => (await GetAsync($"{Events}/renewed")).Status == HttpStatusCode.NotFound, "the renewed event to expire in its turn");
    }

    [Fact]
    public async Task Events_of_the_events_api_group_expire_too()
    {
        var body = new JsonObject
        {
            ["apiVersion"] = "events.k8s.io/v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["name"] = "new-style" },
            ["eventTime"] = "2025-01-01T00:00:00.000000Z",
            ["reportingController"] = "drover.dev/operator",
            ["reportingInstance"] = "drover",
            ["action"] = "Reconcile",
            ["reason"] = "Tested",
            ["type"] = "Warning",
            ["regarding"] = new JsonObject { ["kind"] = "ConfigMap", ["name"] = "settings", ["namespace"] = "default" },
        };
        await CreateOkAsync("/apis/events.k8s.io/v1/namespaces/default/events", body);
        await EventuallyAsync(async () => (await GetAsync("/apis/events.k8s.io/v1/namespaces/default/events/new-style")).Status == HttpStatusCode.NotFound, "the event to expire");
    }
}
