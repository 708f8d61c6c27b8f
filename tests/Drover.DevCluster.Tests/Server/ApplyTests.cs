using System.Net;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Tests.Server;

public class ApplyTests : ClusterTestBase
{
    private const string Deployments = "/apis/apps/v1/namespaces/default/deployments";

    private Task<Reply> ApplyAsync(string name, JsonObject body, string manager, bool force = false) =>
        PatchAsync($"{Deployments}/{name}?fieldManager={manager}&force={(force ? "true" : "false")}&fieldValidation=Strict", body, "application/apply-patch+yaml");

    [Fact]
    public async Task Two_appliers_setting_different_values_conflict_with_causes_until_one_forces()
    {
        Assert.Equal(HttpStatusCode.Created, (await ApplyAsync("shared", Deployment("shared", replicas: 2), "alice")).Status);

        var bob = await ApplyAsync("shared", Deployment("shared", replicas: 5), "bob");
        Assert.Equal(HttpStatusCode.Conflict, bob.Status);
        Assert.Equal("Conflict", bob.Reason);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"alice\": .spec.replicas", bob.Message);
        var cause = bob.Json!["details"]!["causes"]![0]!;
        Assert.Equal("FieldManagerConflict", cause["reason"]!.GetValue<string>());
        Assert.Equal(".spec.replicas", cause["field"]!.GetValue<string>());

        var forced = await ApplyAsync("shared", Deployment("shared", replicas: 5), "bob", force: true);
        Assert.Equal(HttpStatusCode.OK, forced.Status);
        Assert.Equal(5, forced.Json!["spec"]!["replicas"]!.GetValue<int>());
        var managers = forced.Json["metadata"]!["managedFields"]!.AsArray().Select(m => m!["manager"]!.GetValue<string>()).ToList();
        Assert.Contains("bob", managers);
    }

    [Fact]
    public async Task Applying_the_same_value_shares_ownership_without_conflict()
    {
        await ApplyAsync("same", Deployment("same", replicas: 3), "alice");
        var bob = await ApplyAsync("same", Deployment("same", replicas: 3), "bob");
        Assert.Equal(HttpStatusCode.OK, bob.Status);
    }

    [Fact]
    public async Task An_update_takes_ownership_and_the_next_apply_conflicts_with_it()
    {
        await ApplyAsync("upd", Deployment("upd", replicas: 1), "alice");
        var scaled = await PatchAsync($"{Deployments}/upd?fieldManager=scaler", JsonNode.Parse("""{"spec":{"replicas":4}}""")!);
        Assert.Equal(HttpStatusCode.OK, scaled.Status);
        var entries = scaled.Json!["metadata"]!["managedFields"]!.AsArray();
        Assert.Contains(entries, e => e!["manager"]!.GetValue<string>() == "scaler" && e["operation"]!.GetValue<string>() == "Update");

        var again = await ApplyAsync("upd", Deployment("upd", replicas: 1), "alice");
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Contains("conflict with \"scaler\" using apps/v1", again.Message);
    }

    [Fact]
    public async Task Fields_an_applier_stops_applying_are_removed()
    {
        var first = Deployment("rm");
        first["metadata"]!["labels"] = new JsonObject { ["keep"] = "1", ["drop"] = "2" };
        await ApplyAsync("rm", first, "alice");
        var second = Deployment("rm");
        second["metadata"]!["labels"] = new JsonObject { ["keep"] = "1" };
        var reply = await ApplyAsync("rm", second, "alice");
        var labels = reply.Json!["metadata"]!["labels"]!.AsObject();
        Assert.True(labels.ContainsKey("keep"));
        Assert.False(labels.ContainsKey("drop"));
    }

    [Fact]
    public async Task Apply_rejects_managedFields_and_a_wrong_apiVersion_in_the_body()
    {
        var withManaged = Deployment("bad");
        withManaged["metadata"]!["managedFields"] = new JsonArray(new JsonObject { ["manager"] = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, (await ApplyAsync("bad", withManaged, "alice")).Status);
        var wrongVersion = Deployment("bad");
        wrongVersion["apiVersion"] = "apps/v1beta1";
        Assert.Equal(HttpStatusCode.BadRequest, (await ApplyAsync("bad", wrongVersion, "alice")).Status);
    }

    [Fact]
    public async Task Force_on_a_non_apply_patch_is_rejected()
    {
        await CreateOkAsync(Deployments, Deployment("f"));
        var reply = await PatchAsync($"{Deployments}/f?force=true", JsonNode.Parse("""{"spec":{"replicas":2}}""")!);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reply.Status);
    }
}
