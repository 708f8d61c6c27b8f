using System.Net;
using System.Text.Json.Nodes;
using Drover.DevCluster.Tests.Clients;

namespace Drover.DevCluster.Tests.Access;

/// <summary>The OwnerReferencesPermissionEnforcement admission plugin, as OpenShift runs it.</summary>
public class OwnerReferencesEnforcementTests : AccessTestBase
{
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";

    protected override DevClusterOptions Options => new() { Tokens = Tokens, EnforceOwnerReferencesPermission = true, Tls = true };

    private async Task<JsonObject> OwnerAsync() =>
        (await AsAsync(AdminToken, HttpMethod.Post, "/apis/apps/v1/namespaces/default/deployments", Deployment("owner"))).Json!;

    private static JsonObject Owned(string name, JsonObject owner, bool blocking)
    {
        var child = ConfigMap(name);
        child["metadata"]!["ownerReferences"] = new JsonArray(new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["name"] = "owner",
            ["uid"] = owner["metadata"]!["uid"]!.GetValue<string>(),
            ["controller"] = true,
            ["blockOwnerDeletion"] = blocking,
        });
        return child;
    }

    [Fact]
    public async Task Blocking_owner_deletion_needs_update_on_the_owners_finalizers()
    {
        var owner = await OwnerAsync();
        await GrantAsync("default", "children", Subject("ServiceAccount", "drover", "drover-system"), Rule([string.Empty], ["configmaps"], ["create", "delete", "update"]));

        var refused = await AsAsync(OperatorToken, HttpMethod.Post, ConfigMaps, Owned("child", owner, blocking: true));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("configmaps \"child\" is forbidden: cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't set finalizers on: , <nil>", refused.Message);

        Assert.Equal(HttpStatusCode.Created, (await AsAsync(OperatorToken, HttpMethod.Post, ConfigMaps, Owned("loose", owner, blocking: false))).Status);

        await GrantAsync("default", "finalizers", Subject("ServiceAccount", "drover", "drover-system"), Rule(["apps"], ["deployments/finalizers"], ["update"]));
        Assert.Equal(HttpStatusCode.Created, (await AsAsync(OperatorToken, HttpMethod.Post, ConfigMaps, Owned("child", owner, blocking: true))).Status);
    }

    [Fact]
    public async Task The_authorization_log_holds_each_check_of_the_plugin_with_its_answer()
    {
        var owner = await OwnerAsync();
        await GrantAsync("default", "children", Subject("ServiceAccount", "drover", "drover-system"), Rule([string.Empty], ["configmaps"], ["create", "delete"]));
        Assert.Equal(HttpStatusCode.Forbidden, (await AsAsync(OperatorToken, HttpMethod.Post, ConfigMaps, Owned("child", owner, blocking: true))).Status);
        await GrantAsync("default", "finalizers", Subject("ServiceAccount", "drover", "drover-system"), Rule(["apps"], ["deployments/finalizers"], ["update"]));
        Assert.Equal(HttpStatusCode.Created, (await AsAsync(OperatorToken, HttpMethod.Post, ConfigMaps, Owned("child", owner, blocking: true))).Status);

        const string Operator = "system:serviceaccount:drover-system:drover";
        const string Plugin = "OwnerReferencesPermissionEnforcement";
        var decisions = Server.AuthorizationLog.Entries().Where(d => d.User == Operator).ToList();
        Assert.Equal(
            [
                ("delete", "configmaps", "child", true, Plugin),
                ("update", "deployments/finalizers", "owner", false, Plugin),
                ("delete", "configmaps", "child", true, Plugin),
                ("update", "deployments/finalizers", "owner", true, Plugin),
            ],
            decisions.Select(d => (d.Verb, d.Resource, d.Name, d.Allowed, d.Check)));
    }

    [Fact]
    public async Task Setting_an_owner_reference_needs_delete_on_the_object_and_unchanged_references_need_nothing()
    {
        var owner = await OwnerAsync();
        await GrantAsync("default", "writer", Subject("User", "alice"), Rule([string.Empty], ["configmaps"], ["create", "update", "patch", "get"]));

        var refused = await AsAsync(AliceToken, HttpMethod.Post, ConfigMaps, Owned("child", owner, blocking: false));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("configmaps \"child\" is forbidden: cannot set an ownerRef on a resource you can't delete: , <nil>", refused.Message);

        Assert.Equal(HttpStatusCode.Created, (await AsAsync(AdminToken, HttpMethod.Post, ConfigMaps, Owned("child", owner, blocking: true))).Status);
        var edit = await AsAsync(AliceToken, HttpMethod.Patch, $"{ConfigMaps}/child", JsonNode.Parse("""{"data":{"key":"b"}}""")!, "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, edit.Status);
    }

    [Fact]
    public async Task Turning_block_owner_deletion_on_counts_as_a_new_blocking_reference()
    {
        var owner = await OwnerAsync();
        await GrantAsync("default", "children", Subject("User", "alice"), Rule([string.Empty], ["configmaps"], ["create", "delete", "patch", "get"]));
        Assert.Equal(HttpStatusCode.Created, (await AsAsync(AliceToken, HttpMethod.Post, ConfigMaps, Owned("child", owner, blocking: false))).Status);

        var patch = new JsonObject { ["metadata"] = new JsonObject { ["ownerReferences"] = Owned("child", owner, blocking: true)["metadata"]!["ownerReferences"]!.DeepClone() } };
        var refused = await AsAsync(AliceToken, HttpMethod.Patch, $"{ConfigMaps}/child", patch, "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("can't set finalizers on", refused.Message);
    }

    [Fact]
    public async Task The_servers_own_controllers_and_administrators_pass()
    {
        var owner = await OwnerAsync();
        Assert.Equal(HttpStatusCode.Created, (await AsAsync(AdminToken, HttpMethod.Post, ConfigMaps, Owned("admin-child", owner, blocking: true))).Status);
        var unknown = Owned("odd", owner, blocking: true);
        unknown["metadata"]!["ownerReferences"]![0]!["kind"] = "Gadget";
        await GrantAsync("default", "children", Subject("User", "alice"), Rule([string.Empty], ["configmaps"], ["create", "delete"]));
        var refused = await AsAsync(AliceToken, HttpMethod.Post, ConfigMaps, unknown);
        Assert.Equal("configmaps \"odd\" is forbidden: cannot set blockOwnerDeletion in this case because cannot find RESTMapping for APIVersion apps/v1 Kind Gadget: , no matches for kind \"Gadget\" in version \"apps/v1\"", refused.Message);
    }

    [RealClientFact("kubectl")]
    public async Task Kubectl_apply_of_a_blocking_child_is_refused_without_finalizers_permission()
    {
        var owner = await OwnerAsync();
        await GrantAsync("default", "children", Subject("User", "alice"), Rule([string.Empty], ["configmaps"], ["create", "delete", "get", "patch"]));
        using var kubectl = new RealClient("kubectl", Server);
        var file = Path.Combine(Path.GetTempPath(), $"drover-child-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, Owned("child", owner, blocking: true).ToJsonString());
        try
        {
            var refused = await kubectl.RunAsync("apply", "-f", file, "--token", AliceToken);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.True(refused.Stderr.Contains("configmaps \"child\" is forbidden: cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't set finalizers on: , <nil>", StringComparison.Ordinal), refused.Describe());

            await GrantAsync("default", "finalizers", Subject("User", "alice"), Rule(["apps"], ["deployments/finalizers"], ["update"]));
            Assert.Contains("configmap/child created", await kubectl.OkAsync("apply", "-f", file, "--token", AliceToken));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
