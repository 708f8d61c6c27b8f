using System.Net;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Tests.Server;

public class DeletionTests : ClusterTestBase
{
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";
    private const string Deployments = "/apis/apps/v1/namespaces/default/deployments";

    private static JsonObject OwnedConfigMap(string name, JsonObject owner, bool controller = true, bool block = false)
    {
        var body = ConfigMap(name);
        body["metadata"]!["ownerReferences"] = new JsonArray(new JsonObject
        {
            ["apiVersion"] = owner["apiVersion"]!.GetValue<string>(),
            ["kind"] = owner["kind"]!.GetValue<string>(),
            ["name"] = owner["metadata"]!["name"]!.GetValue<string>(),
            ["uid"] = owner["metadata"]!["uid"]!.GetValue<string>(),
            ["controller"] = controller,
            ["blockOwnerDeletion"] = block,
        });
        return body;
    }

    private async Task<bool> GoneAsync(string path) => (await GetAsync(path)).Status == HttpStatusCode.NotFound;

    [Fact]
    public async Task Finalizers_hold_an_object_with_a_deletionTimestamp_until_they_are_cleared()
    {
        var body = ConfigMap("held");
        body["metadata"]!["finalizers"] = new JsonArray("example.com/hold");
        var created = await CreateOkAsync(ConfigMaps, body);
        using var watch = await WatchAsync($"{ConfigMaps}?watch=true&resourceVersion={Rv(created)}");

        var first = await DeleteAsync(ConfigMaps + "/held");
        Assert.Equal(HttpStatusCode.OK, first.Status);
        var stamp = first.Json!["metadata"]!["deletionTimestamp"]!.GetValue<string>();
        Assert.Equal(0, first.Json["metadata"]!["deletionGracePeriodSeconds"]!.GetValue<int>());
        Assert.Equal("MODIFIED", (await watch.NextAsync())!.Value.Type);

        var again = await DeleteAsync(ConfigMaps + "/held");
        Assert.Equal(stamp, again.Json!["metadata"]!["deletionTimestamp"]!.GetValue<string>());

        var adding = await PatchAsync(ConfigMaps + "/held", JsonNode.Parse("""{"metadata":{"finalizers":["example.com/hold","example.com/more"]}}""")!);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, adding.Status);

        var cleared = await PatchAsync(ConfigMaps + "/held", JsonNode.Parse("""{"metadata":{"finalizers":null}}""")!);
        Assert.Equal(HttpStatusCode.OK, cleared.Status);
        Assert.Equal("DELETED", (await watch.NextAsync())!.Value.Type);
        Assert.True(await GoneAsync(ConfigMaps + "/held"));
    }

    [Fact]
    public async Task Background_deletion_collects_dependents_whose_owner_is_gone()
    {
        var owner = await CreateOkAsync(Deployments, Deployment("owner"));
        await CreateOkAsync(ConfigMaps, OwnedConfigMap("child", owner));
        var reply = await DeleteAsync(Deployments + "/owner", JsonNode.Parse("""{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background"}"""));
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True(await GoneAsync(Deployments + "/owner"));
        await EventuallyAsync(() => GoneAsync(ConfigMaps + "/child"), "the dependent to be collected");
    }

    [Fact]
    public async Task A_dependent_created_for_an_owner_that_never_existed_is_collected()
    {
        var ghost = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = new JsonObject { ["name"] = "ghost", ["uid"] = Guid.NewGuid().ToString() },
        };
        await CreateOkAsync(ConfigMaps, OwnedConfigMap("orphaned", ghost));
        await EventuallyAsync(() => GoneAsync(ConfigMaps + "/orphaned"), "the dangling dependent to be collected");
    }

    [Fact]
    public async Task Foreground_deletion_keeps_the_owner_until_blocking_dependents_are_gone()
    {
        var owner = await CreateOkAsync(Deployments, Deployment("fg"));
        var child = OwnedConfigMap("fg-child", owner, block: true);
        child["metadata"]!["finalizers"] = new JsonArray("example.com/slow");
        await CreateOkAsync(ConfigMaps, child);

        var reply = await DeleteAsync(Deployments + "/fg", JsonNode.Parse("""{"propagationPolicy":"Foreground"}"""));
        Assert.Contains("foregroundDeletion", reply.Json!["metadata"]!["finalizers"]!.AsArray().Select(f => f!.GetValue<string>()));
        await EventuallyAsync(async () => (await GetAsync(ConfigMaps + "/fg-child")).Json?["metadata"]?["deletionTimestamp"] is not null, "the dependent to be deleted first");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(Deployments + "/fg")).Status);

        await PatchAsync(ConfigMaps + "/fg-child", JsonNode.Parse("""{"metadata":{"finalizers":null}}""")!);
        await EventuallyAsync(() => GoneAsync(Deployments + "/fg"), "the owner to go once the dependent is gone");
    }

    [Fact]
    public async Task Orphan_deletion_keeps_dependents_and_strips_their_owner_reference()
    {
        var owner = await CreateOkAsync(Deployments, Deployment("orph"));
        await CreateOkAsync(ConfigMaps, OwnedConfigMap("keep-me", owner));
        await DeleteAsync(Deployments + "/orph?propagationPolicy=Orphan");
        await EventuallyAsync(() => GoneAsync(Deployments + "/orph"), "the owner to go");
        var child = await GetAsync(ConfigMaps + "/keep-me");
        Assert.Equal(HttpStatusCode.OK, child.Status);
        Assert.Null(child.Json!["metadata"]!["ownerReferences"]);
    }

    [Fact]
    public async Task An_unknown_propagation_policy_is_422()
    {
        await CreateOkAsync(ConfigMaps, ConfigMap("pp"));
        var reply = await DeleteAsync(ConfigMaps + "/pp", JsonNode.Parse("""{"propagationPolicy":"Sideways"}"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reply.Status);
    }

    [Fact]
    public async Task Delete_preconditions_guard_against_deleting_a_replacement()
    {
        await CreateOkAsync(ConfigMaps, ConfigMap("pre"));
        var reply = await DeleteAsync(ConfigMaps + "/pre", JsonNode.Parse("""{"preconditions":{"uid":"not-the-uid"}}"""));
        Assert.Equal(HttpStatusCode.Conflict, reply.Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(ConfigMaps + "/pre")).Status);
    }

    [Fact]
    public async Task Pods_answer_a_delete_with_the_object_and_configmaps_with_a_Status()
    {
        await CreateOkAsync("/api/v1/namespaces/default/pods", JsonNode.Parse("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}""")!);
        var pod = await DeleteAsync("/api/v1/namespaces/default/pods/p");
        Assert.Equal("Pod", pod.Json!["kind"]!.GetValue<string>());
        await CreateOkAsync(ConfigMaps, ConfigMap("cm"));
        var cm = await DeleteAsync(ConfigMaps + "/cm");
        Assert.Equal("Status", cm.Json!["kind"]!.GetValue<string>());
        Assert.Equal("configmaps", cm.Json["details"]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deletecollection_removes_what_the_selector_matches()
    {
        await CreateOkAsync(ConfigMaps, ConfigMap("x1", labels: new JsonObject { ["batch"] = "1" }));
        await CreateOkAsync(ConfigMaps, ConfigMap("x2", labels: new JsonObject { ["batch"] = "1" }));
        await CreateOkAsync(ConfigMaps, ConfigMap("x3", labels: new JsonObject { ["batch"] = "2" }));
        var reply = await DeleteAsync(ConfigMaps + "?labelSelector=batch%3D1");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(1, Server.Requests.Count("deletecollection", "configmaps"));
        var left = (await GetAsync(ConfigMaps)).Json!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal(["x3"], left);
    }

    [Fact]
    public async Task Deleting_a_namespace_terminates_it_removes_its_content_and_then_the_namespace()
    {
        await CreateOkAsync("/api/v1/namespaces", JsonNode.Parse("""{"metadata":{"name":"doomed"}}""")!);
        var ns = await GetAsync("/api/v1/namespaces/doomed");
        Assert.Equal("Active", ns.Json!["status"]!["phase"]!.GetValue<string>());
        Assert.Equal("doomed", ns.Json["metadata"]!["labels"]!["kubernetes.io/metadata.name"]!.GetValue<string>());
        Assert.Equal("kubernetes", ns.Json["spec"]!["finalizers"]![0]!.GetValue<string>());
        await CreateOkAsync("/api/v1/namespaces/doomed/configmaps", ConfigMap("inside"));

        var reply = await DeleteAsync("/api/v1/namespaces/doomed");
        Assert.Equal("Terminating", reply.Json!["status"]!["phase"]!.GetValue<string>());
        await EventuallyAsync(() => GoneAsync("/api/v1/namespaces/doomed"), "the namespace to be finalized");
        Assert.True(await GoneAsync("/api/v1/namespaces/doomed/configmaps/inside"));
    }

    [Fact]
    public async Task Creating_in_a_terminating_namespace_is_forbidden()
    {
        await CreateOkAsync("/api/v1/namespaces", JsonNode.Parse("""{"metadata":{"name":"closing"}}""")!);
        var held = ConfigMap("held");
        held["metadata"]!["finalizers"] = new JsonArray("example.com/hold");
        await CreateOkAsync("/api/v1/namespaces/closing/configmaps", held);
        await DeleteAsync("/api/v1/namespaces/closing");
        var reply = await PostAsync("/api/v1/namespaces/closing/configmaps", ConfigMap("late"));
        Assert.Equal(HttpStatusCode.Forbidden, reply.Status);
        Assert.Contains("because it is being terminated", reply.Message);
    }
}
