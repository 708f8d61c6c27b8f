using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Tests.Server;

/// <summary>Faults a test switches on: requests that are never answered, and objects no admission would let in.</summary>
public class HangAndInjectTests : ClusterTestBase
{
    private const string Leases = "/apis/coordination.k8s.io/v1/namespaces/default/leases";

    private static JsonObject Lease(string name) => new()
    {
        ["apiVersion"] = "coordination.k8s.io/v1",
        ["kind"] = "Lease",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["holderIdentity"] = "a", ["leaseDurationSeconds"] = 15 },
    };

    private HttpClient Client(TimeSpan timeout) => new() { BaseAddress = Server.BaseAddress, Timeout = timeout };

    private static StringContent Body(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_hung_request_times_out_on_the_client_while_others_are_answered()
    {
        var lease = await CreateOkAsync(Leases, Lease("leader"));
        Server.Faults.HangRequests("leases", "update");
        using var client = Client(TimeSpan.FromMilliseconds(500));

        var renewal = client.PutAsync($"{Leases}/leader", Body(lease));
        await EventuallyAsync(() => Task.FromResult(Server.Faults.HungRequests == 1), "the renewal to be held");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync($"{Leases}/leader")).Status);
        await Assert.ThrowsAsync<TaskCanceledException>(() => renewal);
        await EventuallyAsync(() => Task.FromResult(Server.Faults.HungRequests == 0), "the server to notice the client left");
        Assert.Equal(Rv(lease), Rv((await GetAsync($"{Leases}/leader")).Json!));
    }

    [Fact]
    public async Task StopHanging_lets_held_requests_through()
    {
        await CreateOkAsync(Leases, Lease("held"));
        Server.Faults.HangRequests();
        var read = Http.GetAsync($"{Leases}/held");
        var version = Http.GetAsync("/version");
        Assert.Equal(HttpStatusCode.OK, (await version).StatusCode);
        await EventuallyAsync(() => Task.FromResult(Server.Faults.HungRequests == 1), "the read to be held");
        Assert.False(read.IsCompleted);

        Server.Faults.StopHanging();
        using var answer = await read;
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync($"{Leases}/held")).Status);
    }

    [Fact]
    public async Task Stopping_the_cluster_drops_held_requests()
    {
        await using var server = await DevClusterServer.StartAsync(new DevClusterOptions());
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        server.Faults.HangRequests("configmaps");
        var held = client.GetAsync("/api/v1/namespaces/default/configmaps");
        await EventuallyAsync(() => Task.FromResult(server.Faults.HungRequests == 1), "the list to be held");

        var stopping = server.DisposeAsync().AsTask();
        Assert.Same(stopping, await Task.WhenAny(stopping, Task.Delay(TimeSpan.FromSeconds(10))));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => held);
    }

    [Fact]
    public async Task An_injected_object_skips_validation_and_reaches_lists_and_watches()
    {
        await CreateOkAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", WidgetCrd.Definition());
        await EventuallyAsync(async () => (await GetAsync(WidgetCrd.Collection)).Status == HttpStatusCode.OK, "the CRD to be served");
        var rejected = await PostAsync(WidgetCrd.Collection, WidgetCrd.Widget("poison", extraSpec: new JsonObject { ["replicas"] = -4294967296 }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, rejected.Status);

        var list = (await GetAsync(WidgetCrd.Collection)).Json!;
        using var watch = await WatchAsync($"{WidgetCrd.Collection}?watch=true&resourceVersion={list["metadata"]!["resourceVersion"]}");
        var version = Server.Faults.InjectObject("example.com", "v1", "widgets",
            """{"metadata":{"name":"poison","namespace":"default"},"spec":{"size":"enormous","replicas":-4294967296}}""");

        var added = (await watch.NextAsync())!.Value;
        Assert.Equal("ADDED", added.Type);
        Assert.Equal(version, Rv(added.Object));
        Assert.Equal(-4294967296, added.Object["spec"]!["replicas"]!.GetValue<long>());
        var listed = (await GetAsync(WidgetCrd.Collection)).Json!["items"]!.AsArray().Single()!;
        Assert.Equal("enormous", listed["spec"]!["size"]!.GetValue<string>());
        Assert.Equal("Widget", listed["kind"]!.GetValue<string>());
        Assert.NotNull(listed["metadata"]!["uid"]);

        Server.Faults.InjectObject("example.com", "v1", "widgets", """{"metadata":{"name":"poison","namespace":"default"},"spec":{"size":"small","replicas":"three"}}""");
        var modified = (await watch.NextAsync())!.Value;
        Assert.Equal("MODIFIED", modified.Type);
        Assert.Equal(listed["metadata"]!["uid"]!.GetValue<string>(), modified.Object["metadata"]!["uid"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await DeleteAsync($"{WidgetCrd.Collection}/poison")).Status);
    }

    [Fact]
    public void Injecting_something_that_is_not_an_object_of_a_served_kind_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Server.Faults.InjectObject("example.com", "v1", "gadgets", """{"metadata":{"name":"x","namespace":"default"}}"""));
        Assert.Throws<ArgumentException>(() => Server.Faults.InjectObject(string.Empty, "v1", "configmaps", """{"metadata":{"namespace":"default"}}"""));
        Assert.Throws<ArgumentException>(() => Server.Faults.InjectObject(string.Empty, "v1", "configmaps", """{"metadata":{"name":"x"}}"""));
        Assert.Throws<ArgumentException>(() => Server.Faults.InjectObject(string.Empty, "v1", "configmaps", "[1, 2]"));
    }
}
