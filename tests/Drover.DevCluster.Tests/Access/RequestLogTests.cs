using System.Net;
using System.Text.Json.Nodes;
using Drover.DevCluster.Tests.Server;

namespace Drover.DevCluster.Tests.Access;

/// <summary>The request log: who asked what, in authorization's terms, and what they were answered.</summary>
public class RequestLogTests : ClusterTestBase
{
    private const string Deployments = "/apis/apps/v1/namespaces/default/deployments";

    protected override DevClusterOptions Options => new() { RequestLogLimit = 50 };

    [Fact]
    public async Task Every_request_is_logged_with_client_verb_resource_and_status()
    {
        using var client = new HttpClient { BaseAddress = Server.BaseAddress };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("drover/0.1.0 (linux/amd64)");
        Server.RequestLog.Clear();

        using (await client.PostAsync(Deployments, new StringContent(Deployment("web").ToJsonString(), System.Text.Encoding.UTF8, "application/json")))
        {
        }

        await GetAsync($"{Deployments}/web");
        await GetAsync($"{Deployments}?fieldSelector=metadata.name%3Dweb");
        await PatchAsync($"{Deployments}/web/status", JsonNode.Parse("""{"status":{"replicas":1}}""")!);
        await GetAsync($"{Deployments}/missing");
        await GetAsync("/apis/apps/v1");
        using (var watch = await WatchAsync("/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1"))
        {
            await watch.NextAsync(5000);
        }

        await DeleteAsync($"{Deployments}/web");

        var log = Server.RequestLog.Entries();
        var rows = log.Select(e => (e.Client, e.Verb, e.ApiGroup, e.Resource, e.Subresource, e.Namespace, e.Name, e.StatusCode)).ToList();
        Assert.Equal(
        [
            ("drover", "create", "apps", "deployments", null, "default", string.Empty, 201),
            ("unknown", "get", "apps", "deployments", null, "default", "web", 200),
            ("unknown", "list", "apps", "deployments", null, "default", "web", 200),
            ("unknown", "patch", "apps", "deployments", "status", "default", "web", 200),
            ("unknown", "get", "apps", "deployments", null, "default", "missing", 404),
            ("unknown", "get", string.Empty, string.Empty, null, string.Empty, string.Empty, 200),
            ("unknown", "watch", string.Empty, "configmaps", null, "default", string.Empty, 200),
            ("unknown", "delete", "apps", "deployments", null, "default", "web", 200),
        ], rows);
        Assert.Equal("drover/0.1.0 (linux/amd64)", log[0].UserAgent);
        Assert.Equal("/apis/apps/v1", log[5].Path);
        Assert.False(log[5].IsResourceRequest);
        Assert.All(log, e => Assert.Null(e.User));
        Assert.Equal(0, Server.RequestLog.Dropped);
    }

    [Fact]
    public async Task The_log_keeps_the_latest_requests_and_counts_what_it_dropped()
    {
        Server.RequestLog.Clear();
        for (var i = 0; i < 60; i++)
        {
            await GetAsync($"/api/v1/namespaces/default/configmaps/c{i}");
        }

        var log = Server.RequestLog.Entries();
        Assert.Equal(50, log.Count);
        Assert.Equal(10, Server.RequestLog.Dropped);
        Assert.Equal("c10", log[0].Name);
        Assert.Equal(HttpStatusCode.NotFound, (HttpStatusCode)log[^1].StatusCode);
    }
}
