using System.Net;
using System.Text.Json.Nodes;
using Drover.DevCluster;

namespace Drover.DevCluster.Tests.Server;

public class ListWatchTests : ClusterTestBase
{
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";

    protected override DevClusterOptions Options => new() { BookmarkInterval = TimeSpan.FromMilliseconds(100), WatchHistoryLimit = 50 };

    private static JsonObject Labels(params (string Key, string Value)[] labels)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in labels)
        {
            obj[key] = value;
        }

        return obj;
    }

    private async Task<List<string>> NamesAsync(string query)
    {
        var reply = await GetAsync($"{ConfigMaps}?{query}");
        Assert.True(reply.Status == HttpStatusCode.OK, reply.Text);
        return [.. reply.Json!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>())];
    }

    [Fact]
    public async Task Label_selectors_support_equality_set_and_existence_terms()
    {
        await CreateOkAsync(ConfigMaps, ConfigMap("a", labels: Labels(("tier", "web"), ("env", "prod"))));
        await CreateOkAsync(ConfigMaps, ConfigMap("b", labels: Labels(("tier", "db"), ("env", "dev"))));
        await CreateOkAsync(ConfigMaps, ConfigMap("c", labels: Labels(("tier", "cache"))));

        Assert.Equal(["a"], await NamesAsync("labelSelector=tier%3Dweb"));
        Assert.Equal(["b", "c"], await NamesAsync("labelSelector=tier!%3Dweb"));
        Assert.Equal(["a", "b"], await NamesAsync("labelSelector=tier%20in%20(web,db)"));
        Assert.Equal(["c"], await NamesAsync("labelSelector=tier%20notin%20(web,db)"));
        Assert.Equal(["a", "b"], await NamesAsync("labelSelector=env"));
        Assert.Equal(["c"], await NamesAsync("labelSelector=!env"));
        Assert.Equal(["a"], await NamesAsync("labelSelector=env,tier%20in%20(web)"));
    }

    [Fact]
    public async Task Field_selectors_match_name_and_namespace()
    {
        await CreateOkAsync(ConfigMaps, ConfigMap("one"));
        await CreateOkAsync(ConfigMaps, ConfigMap("two"));
        await CreateOkAsync("/api/v1/namespaces/kube-system/configmaps", ConfigMap("one"));
        Assert.Equal(["two"], await NamesAsync("fieldSelector=metadata.name%3Dtwo"));
        var all = await GetAsync("/api/v1/configmaps?fieldSelector=metadata.namespace%3Dkube-system");
        Assert.Single(all.Json!["items"]!.AsArray());
        var notDefault = await GetAsync("/api/v1/configmaps?fieldSelector=metadata.namespace!%3Ddefault,metadata.name%3Done");
        Assert.Equal("kube-system", notDefault.Json!["items"]![0]!["metadata"]!["namespace"]!.GetValue<string>());
    }

    [Fact]
    public async Task Paging_with_limit_and_continue_returns_every_object_once()
    {
        for (var i = 0; i < 7; i++)
        {
            await CreateOkAsync(ConfigMaps, ConfigMap($"cm-{i}"));
        }

        var seen = new List<string>();
        string? token = null;
        string? listVersion = null;
        var pages = 0;
        do
        {
            var reply = await GetAsync($"{ConfigMaps}?limit=3" + (token is null ? string.Empty : $"&continue={token}"));
            pages++;
            seen.AddRange(reply.Json!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
            token = reply.Json["metadata"]!["continue"]?.GetValue<string>();
            listVersion ??= reply.Json["metadata"]!["resourceVersion"]!.GetValue<string>();
            Assert.Equal(listVersion, reply.Json["metadata"]!["resourceVersion"]!.GetValue<string>());
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"cm-{i}"), seen);
        Assert.Equal("ConfigMapList", (await GetAsync(ConfigMaps)).Json!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_garbled_continue_token_is_400()
    {
        var reply = await GetAsync($"{ConfigMaps}?limit=1&continue=%%%");
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
    }

    [Fact]
    public async Task Watch_without_resourceVersion_starts_with_synthetic_ADDED_events()
    {
        await CreateOkAsync(ConfigMaps, ConfigMap("x"));
        await CreateOkAsync(ConfigMaps, ConfigMap("y"));
        using var watch = await WatchAsync($"{ConfigMaps}?watch=true");
        Assert.Equal("application/json", watch.Response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("ADDED", (await watch.NextAsync())!.Value.Type);
        Assert.Equal("ADDED", (await watch.NextAsync())!.Value.Type);
        await CreateOkAsync(ConfigMaps, ConfigMap("z"));
        var third = await watch.NextAsync();
        Assert.Equal("z", third!.Value.Object["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Watch_from_a_resourceVersion_sends_only_later_events_in_order()
    {
        var first = await CreateOkAsync(ConfigMaps, ConfigMap("w1"));
        await CreateOkAsync(ConfigMaps, ConfigMap("w2"));
        await PatchAsync(ConfigMaps + "/w1", new JsonObject { ["data"] = new JsonObject { ["key"] = "new" } });
        await DeleteAsync(ConfigMaps + "/w2");

        using var watch = await WatchAsync($"{ConfigMaps}?watch=true&resourceVersion={Rv(first)}");
        var added = (await watch.NextAsync())!.Value;
        Assert.Equal(("ADDED", "w2"), (added.Type, added.Object["metadata"]!["name"]!.GetValue<string>()));
        var modified = (await watch.NextAsync())!.Value;
        Assert.Equal(("MODIFIED", "w1"), (modified.Type, modified.Object["metadata"]!["name"]!.GetValue<string>()));
        var deleted = (await watch.NextAsync())!.Value;
        Assert.Equal(("DELETED", "w2"), (deleted.Type, deleted.Object["metadata"]!["name"]!.GetValue<string>()));
        Assert.True(long.Parse(Rv(deleted.Object)) > long.Parse(Rv(modified.Object)));
        Assert.True(await watch.QuietAsync());
    }

    [Fact]
    public async Task A_compacted_resourceVersion_gets_HTTP_200_and_an_ERROR_event_with_410_Expired()
    {
        var first = await CreateOkAsync(ConfigMaps, ConfigMap("old"));
        for (var i = 0; i < 60; i++)
        {
            await PatchAsync(ConfigMaps + "/old", new JsonObject { ["data"] = new JsonObject { ["key"] = $"v{i}" } });
        }

        using var watch = await WatchAsync($"{ConfigMaps}?watch=true&resourceVersion={Rv(first)}");
        Assert.Equal(HttpStatusCode.OK, watch.Response.StatusCode);
        var error = (await watch.NextAsync())!.Value;
        Assert.Equal("ERROR", error.Type);
        Assert.Equal("Status", error.Object["kind"]!.GetValue<string>());
        Assert.Equal(410, error.Object["code"]!.GetValue<int>());
        Assert.Equal("Expired", error.Object["reason"]!.GetValue<string>());
        Assert.StartsWith("too old resource version", error.Object["message"]!.GetValue<string>());
        Assert.Null(await watch.NextAsync());
    }

    [Fact]
    public async Task Bookmarks_carry_the_latest_resourceVersion_when_allowed()
    {
        var created = await CreateOkAsync(ConfigMaps, ConfigMap("b"));
        using var watch = await WatchAsync($"{ConfigMaps}?watch=true&allowWatchBookmarks=true&resourceVersion={Rv(created)}");
        var bookmark = (await watch.NextAsync())!.Value;
        Assert.Equal("BOOKMARK", bookmark.Type);
        Assert.Equal("ConfigMap", bookmark.Object["kind"]!.GetValue<string>());
        Assert.True(long.Parse(Rv(bookmark.Object)) >= long.Parse(Rv(created)));
    }

    [Fact]
    public async Task Watch_list_streams_the_state_then_an_initial_events_end_bookmark()
    {
        await CreateOkAsync(ConfigMaps, ConfigMap("s1"));
        await CreateOkAsync(ConfigMaps, ConfigMap("s2"));
        using var watch = await WatchAsync($"{ConfigMaps}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&fieldSelector=metadata.name%3Ds2");
        var added = (await watch.NextAsync())!.Value;
        Assert.Equal(("ADDED", "s2"), (added.Type, added.Object["metadata"]!["name"]!.GetValue<string>()));
        var end = (await watch.NextAsync())!.Value;
        Assert.Equal("BOOKMARK", end.Type);
        Assert.Equal("true", end.Object["metadata"]!["annotations"]!["k8s.io/initial-events-end"]!.GetValue<string>());
    }

    [Fact]
    public async Task Watch_list_without_bookmarks_is_rejected_with_422()
    {
        var reply = await GetAsync($"{ConfigMaps}?watch=true&sendInitialEvents=true");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reply.Status);
        Assert.Equal("Invalid", reply.Reason);
    }

    [Fact]
    public async Task Selector_watches_see_objects_enter_and_leave()
    {
        var created = await CreateOkAsync(ConfigMaps, ConfigMap("mover", labels: Labels(("team", "a"))));
        using var watch = await WatchAsync($"{ConfigMaps}?watch=true&labelSelector=team%3Db&resourceVersion={Rv(created)}");
        await PatchAsync(ConfigMaps + "/mover", JsonNode.Parse("""{"metadata":{"labels":{"team":"b"}}}""")!);
        Assert.Equal("ADDED", (await watch.NextAsync())!.Value.Type);
        await PatchAsync(ConfigMaps + "/mover", JsonNode.Parse("""{"data":{"key":"changed"}}""")!);
        Assert.Equal("MODIFIED", (await watch.NextAsync())!.Value.Type);
        await PatchAsync(ConfigMaps + "/mover", JsonNode.Parse("""{"metadata":{"labels":{"team":"c"}}}""")!);
        var left = (await watch.NextAsync())!.Value;
        Assert.Equal("DELETED", left.Type);
        Assert.Equal("c", left.Object["metadata"]!["labels"]!["team"]!.GetValue<string>());
    }

    [Fact]
    public async Task TimeoutSeconds_ends_the_stream_cleanly()
    {
        var started = DateTime.UtcNow;
        using var watch = await WatchAsync($"{ConfigMaps}?watch=true&timeoutSeconds=1&resourceVersion=1");
        Assert.Null(await watch.NextAsync(5000));
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task Namespace_scoped_watches_ignore_other_namespaces()
    {
        using var watch = await WatchAsync($"{ConfigMaps}?watch=true&resourceVersion=1");
        await CreateOkAsync("/api/v1/namespaces/kube-system/configmaps", ConfigMap("elsewhere"));
        await CreateOkAsync(ConfigMaps, ConfigMap("here"));
        var next = (await watch.NextAsync())!.Value;
        Assert.Equal("here", next.Object["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_slow_watcher_that_falls_too_far_behind_is_closed_while_writers_continue()
    {
        await using var server = await DevClusterServer.StartAsync(new DevClusterOptions { WatchBufferSize = 16 });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var response = await http.GetAsync($"{ConfigMaps}?watch=true&resourceVersion=1", HttpCompletionOption.ResponseHeadersRead);
        var configMaps = server.Operations.Catalog.Find(string.Empty, "v1", "configmaps")!;
        await EventuallyAsync(() => Task.FromResult(server.OpenWatches == 1), "the watch to open");
        // Socket buffers take megabytes a reader never reads, so small events could all fit in them and the
        // watcher would never look slow: write large objects until the store gives up on it (64 MB at most).
        var value = new string('x', 16 * 1024);
        var written = 0;
        while (server.OpenWatches == 1 && written < 4000)
        {
            server.Operations.Create(configMaps, "default", ConfigMap($"bulk-{written++}", value), new Writes.WriteOptions());
        }

        await EventuallyAsync(() => Task.FromResult(server.OpenWatches == 0), $"the slow watcher to be closed after {written} writes");
        server.Operations.Create(configMaps, "default", ConfigMap("after-close"), new Writes.WriteOptions());
    }
}
