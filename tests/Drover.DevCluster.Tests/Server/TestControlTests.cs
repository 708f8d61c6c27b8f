using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Tests.Server;

public class TestControlTests : ClusterTestBase
{
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";

    [Fact]
    public async Task Counters_record_kubernetes_verbs_per_resource_and_total_writes()
    {
        await CreateOkAsync(ConfigMaps, ConfigMap("c"));
        await GetAsync(ConfigMaps + "/c");
        await GetAsync(ConfigMaps);
        await PatchAsync(ConfigMaps + "/c", new JsonObject { ["data"] = new JsonObject { ["key"] = "z" } });
        await PutAsync(ConfigMaps + "/c", (await GetAsync(ConfigMaps + "/c")).Json!);
        await DeleteAsync(ConfigMaps + "/c");

        Assert.Equal(1, Server.Requests.Count("create", "configmaps"));
        Assert.Equal(2, Server.Requests.Count("get", "configmaps"));
        Assert.Equal(1, Server.Requests.Count("list", "configmaps"));
        Assert.Equal(1, Server.Requests.Count("patch", "configmaps"));
        Assert.Equal(1, Server.Requests.Count("update", "configmaps"));
        Assert.Equal(1, Server.Requests.Count("delete", "configmaps"));
        Assert.Equal(4, Server.Requests.Writes);
        Assert.Equal(2, Server.Requests.Snapshot()[("get", "configmaps")]);
        Server.Requests.Reset();
        Assert.Equal(0, Server.Requests.Writes);
    }

    [Fact]
    public async Task Debug_requests_endpoint_reports_counts_by_client_and_resets_them()
    {
        using (var operatorClient = new HttpClient { BaseAddress = Server.BaseAddress })
        {
            operatorClient.DefaultRequestHeaders.UserAgent.ParseAdd("some-operator/1.2 (linux)");
            using var created = await operatorClient.PostAsync(ConfigMaps, JsonContent(ConfigMap("from-operator")));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            using var read = await operatorClient.GetAsync(ConfigMaps);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        await CreateOkAsync(ConfigMaps, ConfigMap("from-test"));
        await CreateOkAsync(ConfigMaps, ConfigMap("from-test-2"));

        var counts = await GetAsync("/debug/requests");
        Assert.Equal(HttpStatusCode.OK, counts.Status);
        Assert.Equal(3, counts.Json!["writes"]!.GetValue<int>());
        var rows = counts.Json["requests"]!.AsArray()
            .Select(r => (Client: r!["client"]!.GetValue<string>(), Verb: r["verb"]!.GetValue<string>(), Resource: r["resource"]!.GetValue<string>(), Count: r["count"]!.GetValue<int>()))
            .ToList();
        Assert.Contains(("some-operator", "create", "configmaps", 1), rows);
        Assert.Contains(("some-operator", "list", "configmaps", 1), rows);
        Assert.Contains(("unknown", "create", "configmaps", 2), rows);
        Assert.Equal(3, rows.Count);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await PostAsync("/debug/requests", new JsonObject())).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await PostAsync("/debug/requests/reset", new JsonObject())).Status);
        var after = await GetAsync("/debug/requests");
        Assert.Equal(0, after.Json!["writes"]!.GetValue<int>());
        Assert.Empty(after.Json["requests"]!.AsArray());
        Assert.Equal(0, Server.Requests.Writes);
    }

    [Theory]
    [InlineData("kubectl/v1.35.0 (linux/amd64) kubernetes/abc", "kubectl")]
    [InlineData("drover-bench", "drover-bench")]
    [InlineData("", "unknown")]
    [InlineData(null, "unknown")]
    public void The_client_is_the_product_token_of_the_user_agent(string? userAgent, string client) =>
        Assert.Equal(client, Drover.DevCluster.TestControls.RequestCounters.ClientOf(userAgent));

    [Fact]
    public async Task FailNext_fails_exactly_that_many_requests_on_the_chosen_resource()
    {
        Server.Faults.FailNext(2, resource: "configmaps");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/api/v1/namespaces/default/secrets")).Status);
        Assert.Equal(HttpStatusCode.InternalServerError, (await GetAsync(ConfigMaps)).Status);
        var second = await GetAsync(ConfigMaps);
        Assert.Equal(HttpStatusCode.InternalServerError, second.Status);
        Assert.Equal("Status", second.Json!["kind"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(ConfigMaps)).Status);
    }

    [Fact]
    public async Task Throttling_answers_429_with_Retry_After()
    {
        Server.Faults.FailNext(1, 429, TimeSpan.FromSeconds(2));
        var reply = await GetAsync(ConfigMaps);
        Assert.Equal(HttpStatusCode.TooManyRequests, reply.Status);
        Assert.Equal(TimeSpan.FromSeconds(2), reply.RetryAfter!.Delta);
        Assert.Equal(2, reply.Json!["details"]!["retryAfterSeconds"]!.GetValue<int>());
        Assert.Equal("TooManyRequests", reply.Reason);
    }

    [Fact]
    public async Task Latency_slows_every_resource_request()
    {
        Server.Faults.Latency = TimeSpan.FromMilliseconds(300);
        var started = DateTime.UtcNow;
        await GetAsync(ConfigMaps);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(280));
    }

    [Fact]
    public async Task DropAllWatches_ends_every_open_stream()
    {
        using var one = await WatchAsync(ConfigMaps + "?watch=true&resourceVersion=1");
        using var two = await WatchAsync("/api/v1/secrets?watch=true&resourceVersion=1");
        await EventuallyAsync(() => Task.FromResult(Server.OpenWatches == 2), "both watches to open");
        Assert.Equal(2, Server.Faults.DropAllWatches());
        Assert.Null(await one.NextAsync());
        Assert.Null(await two.NextAsync());
    }

    [Fact]
    public async Task ExpireNextWatch_gives_the_next_resuming_watch_a_410_error_event_once()
    {
        var created = await CreateOkAsync(ConfigMaps, ConfigMap("e"));
        Server.Faults.ExpireNextWatch();
        using (var expired = await WatchAsync($"{ConfigMaps}?watch=true&resourceVersion={Rv(created)}"))
        {
            var error = (await expired.NextAsync())!.Value;
            Assert.Equal("ERROR", error.Type);
            Assert.Equal(410, error.Object["code"]!.GetValue<int>());
        }

        using var fine = await WatchAsync($"{ConfigMaps}?watch=true&resourceVersion={Rv(created)}");
        Assert.True(await fine.QuietAsync());
    }

    [Fact]
    public async Task The_kubeconfig_names_the_drover_dev_cluster_with_the_server_address()
    {
        var path = Path.Combine(Path.GetTempPath(), $"drover-{Guid.NewGuid():N}", "config");
        try
        {
            Assert.Equal(path, Server.WriteKubeconfig(path));
            var text = await File.ReadAllTextAsync(path);
            Assert.Contains("name: drover-dev", text);
            Assert.Contains($"server: {Server.BaseAddress.GetLeftPart(UriPartial.Authority)}", text);
            Assert.Contains("current-context: drover-dev", text);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    private static StringContent JsonContent(JsonObject body)
    {
        var content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        return content;
    }
}
