using System.Net;
using System.Text.Json.Nodes;
using Drover.DevCluster.Tests.Clients;
using Drover.DevCluster.Tests.Server;

namespace Drover.DevCluster.Tests.Access;

/// <summary>RBAC over the Roles and bindings stored in the dev cluster, answering as the real authorizer does.</summary>
public class RbacTests : AccessTestBase
{
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";

    // TLS as a real authenticating server has it: kubectl sends bearer tokens over TLS only.
    protected override DevClusterOptions Options => new() { Tokens = Tokens, AuthorizeWithRbac = true, Tls = true };

    private Task<Reply> AliceAsync(HttpMethod method, string path, JsonNode? body = null, string contentType = "application/json") =>
        AsAsync(AliceToken, method, path, body, contentType);

    private static void AssertForbidden(Reply reply, string message)
    {
        Assert.True(reply.Status == HttpStatusCode.Forbidden, $"{(int)reply.Status} {reply.Text}");
        Assert.Equal("Forbidden", reply.Reason);
        Assert.Equal(message, reply.Message);
    }

    [Fact]
    public async Task A_user_without_bindings_is_forbidden_with_the_real_message()
    {
        AssertForbidden(await AliceAsync(HttpMethod.Get, ConfigMaps),
            "configmaps is forbidden: User \"alice\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"default\"");
        var named = await AliceAsync(HttpMethod.Get, $"{ConfigMaps}/settings");
        AssertForbidden(named, "configmaps \"settings\" is forbidden: User \"alice\" cannot get resource \"configmaps\" in API group \"\" in the namespace \"default\"");
        Assert.Equal(("settings", "configmaps"), (named.Json!["details"]!["name"]!.GetValue<string>(), named.Json["details"]!["kind"]!.GetValue<string>()));
        AssertForbidden(await AliceAsync(HttpMethod.Get, "/apis/apps/v1/deployments"),
            "deployments.apps is forbidden: User \"alice\" cannot list resource \"deployments\" in API group \"apps\" at the cluster scope");
        AssertForbidden(await AsAsync(null, HttpMethod.Get, "/api/v1/namespaces"),
            "namespaces is forbidden: User \"system:anonymous\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope");

        Assert.Equal(HttpStatusCode.OK, (await AliceAsync(HttpMethod.Get, "/apis")).Status);
        Assert.Equal(HttpStatusCode.OK, (await AsAsync(AdminToken, HttpMethod.Get, ConfigMaps)).Status);
        Assert.Contains(Server.RequestLog.Entries(), e => e is { User: "alice", Verb: "list", Resource: "configmaps", StatusCode: 403 });
    }

    [Fact]
    public async Task A_role_grants_its_verbs_in_its_namespace_only()
    {
        Assert.Equal(HttpStatusCode.Created, (await AdminCreateAsync("/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "other" } })).Status);
        await GrantAsync("default", "reader", Subject("User", "alice"), Rule([string.Empty], ["configmaps"], ["get", "list", "watch"]));

        Assert.Equal(HttpStatusCode.OK, (await AliceAsync(HttpMethod.Get, ConfigMaps)).Status);
        AssertForbidden(await AliceAsync(HttpMethod.Post, ConfigMaps, ConfigMap("x")),
            "configmaps is forbidden: User \"alice\" cannot create resource \"configmaps\" in API group \"\" in the namespace \"default\"");
        AssertForbidden(await AliceAsync(HttpMethod.Get, "/api/v1/namespaces/other/configmaps"),
            "configmaps is forbidden: User \"alice\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"other\"");
        AssertForbidden(await AliceAsync(HttpMethod.Get, "/api/v1/namespaces/default/secrets"),
            "secrets is forbidden: User \"alice\" cannot list resource \"secrets\" in API group \"\" in the namespace \"default\"");
    }

    [Fact]
    public async Task Resource_names_limit_a_rule_to_named_objects_including_single_object_watches()
    {
        await AdminCreateAsync(ConfigMaps, ConfigMap("mine"));
        await AdminCreateAsync(ConfigMaps, ConfigMap("theirs"));
        await GrantAsync("default", "one", Subject("Group", "devs"), Rule([string.Empty], ["configmaps"], ["get", "list", "watch"], ["mine"]));

        Assert.Equal(HttpStatusCode.OK, (await AliceAsync(HttpMethod.Get, $"{ConfigMaps}/mine")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await AliceAsync(HttpMethod.Get, $"{ConfigMaps}/theirs")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await AliceAsync(HttpMethod.Get, ConfigMaps)).Status);
        Assert.Equal(HttpStatusCode.OK, (await AliceAsync(HttpMethod.Get, $"{ConfigMaps}?fieldSelector=metadata.name%3Dmine")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await AliceAsync(HttpMethod.Get, $"{ConfigMaps}?fieldSelector=metadata.name%3Dtheirs")).Status);
    }

    [Fact]
    public async Task Subresources_are_their_own_resources_and_star_slash_matches_any_parent()
    {
        await AsAsync(AdminToken, HttpMethod.Post, "/apis/apps/v1/namespaces/default/deployments", Deployment("web"));
        await GrantAsync("default", "scaler", Subject("User", "alice"), Rule(["apps"], ["deployments/scale"], ["get", "patch"]));
        var scale = new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 2 } };

        Assert.Equal(HttpStatusCode.OK, (await AliceAsync(HttpMethod.Patch, "/apis/apps/v1/namespaces/default/deployments/web/scale", scale, "application/merge-patch+json")).Status);
        AssertForbidden(await AliceAsync(HttpMethod.Patch, "/apis/apps/v1/namespaces/default/deployments/web", scale, "application/merge-patch+json"),
            "deployments.apps \"web\" is forbidden: User \"alice\" cannot patch resource \"deployments\" in API group \"apps\" in the namespace \"default\"");
        AssertForbidden(await AliceAsync(HttpMethod.Patch, "/apis/apps/v1/namespaces/default/deployments/web/status", scale, "application/merge-patch+json"),
            "deployments.apps \"web\" is forbidden: User \"alice\" cannot patch resource \"deployments/status\" in API group \"apps\" in the namespace \"default\"");

        await GrantAsync("default", "statuses", Subject("User", "alice"), Rule(["*"], ["*/status"], ["*"]));
        Assert.Equal(HttpStatusCode.OK, (await AliceAsync(HttpMethod.Patch, "/apis/apps/v1/namespaces/default/deployments/web/status", scale, "application/merge-patch+json")).Status);
    }

    [Fact]
    public async Task Cluster_roles_apply_cluster_wide_through_cluster_role_bindings_and_locally_through_role_bindings()
    {
        await AdminCreateAsync("/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "other" } });
        await AdminCreateAsync("/apis/rbac.authorization.k8s.io/v1/clusterroles", Role("secret-reader", string.Empty, Rule([string.Empty], ["secrets"], ["list"])));
        await AdminCreateAsync("/apis/rbac.authorization.k8s.io/v1/namespaces/other/rolebindings",
            Binding("read-here", "other", "ClusterRole", "secret-reader", Subject("ServiceAccount", "drover", "drover-system")));

        Assert.Equal(HttpStatusCode.OK, (await AsAsync(OperatorToken, HttpMethod.Get, "/api/v1/namespaces/other/secrets")).Status);
        AssertForbidden(await AsAsync(OperatorToken, HttpMethod.Get, "/api/v1/namespaces/default/secrets"),
            "secrets is forbidden: User \"system:serviceaccount:drover-system:drover\" cannot list resource \"secrets\" in API group \"\" in the namespace \"default\"");
        Assert.Equal(HttpStatusCode.Forbidden, (await AsAsync(OperatorToken, HttpMethod.Get, "/api/v1/secrets")).Status);

        await AdminCreateAsync("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
            Binding("read-all", string.Empty, "ClusterRole", "secret-reader", Subject("Group", "system:serviceaccounts")));
        Assert.Equal(HttpStatusCode.OK, (await AsAsync(OperatorToken, HttpMethod.Get, "/api/v1/secrets")).Status);
        Assert.Equal(HttpStatusCode.OK, (await AsAsync(OperatorToken, HttpMethod.Get, "/api/v1/namespaces/default/secrets")).Status);
    }

    [Fact]
    public async Task The_authorization_log_holds_every_decision_about_a_user_with_its_answer()
    {
        await GrantAsync("default", "reader", Subject("User", "alice"), Rule([string.Empty], ["configmaps"], ["get"]));
        await AliceAsync(HttpMethod.Get, $"{ConfigMaps}/settings");
        await AliceAsync(HttpMethod.Delete, $"{ConfigMaps}/settings");
        await AliceAsync(HttpMethod.Get, "/apis");

        Assert.Equal(
            [("get", string.Empty, "configmaps", "default", "settings", true, "request"), ("delete", string.Empty, "configmaps", "default", "settings", false, "request")],
            Server.AuthorizationLog.Entries().Where(d => d.User == "alice").Select(d => (d.Verb, d.ApiGroup, d.Resource, d.Namespace, d.Name, d.Allowed, d.Check)));
    }

    [Fact]
    public async Task A_binding_to_a_missing_role_is_named_in_the_reason()
    {
        await AdminCreateAsync("/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", Binding("dangling", "default", "Role", "gone", Subject("User", "alice")));
        AssertForbidden(await AliceAsync(HttpMethod.Get, ConfigMaps),
            "configmaps is forbidden: User \"alice\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"default\": RBAC: role.rbac.authorization.k8s.io \"gone\" not found");
    }

    [RealClientFact("kubectl")]
    public async Task Kubectl_with_a_token_is_forbidden_until_a_role_is_bound()
    {
        using var kubectl = new RealClient("kubectl", Server);
        var denied = await kubectl.RunAsync("get", "configmaps", "--token", AliceToken);
        Assert.NotEqual(0, denied.ExitCode);
        Assert.True(denied.Stderr.Contains("Error from server (Forbidden): configmaps is forbidden: User \"alice\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"default\"", StringComparison.Ordinal), denied.Describe());

        // kubectl create role would send protobuf; apply sends JSON.
        foreach (var manifest in (JsonObject[])[Role("reader", "default", Rule([string.Empty], ["configmaps"], ["get", "list", "watch"])), Binding("alice-reads", "default", "Role", "reader", Subject("User", "alice"))])
        {
            var file = Path.Combine(Path.GetTempPath(), $"drover-rbac-{Guid.NewGuid():N}.json");
            await File.WriteAllTextAsync(file, manifest.ToJsonString());
            try
            {
                await kubectl.OkAsync("apply", "-f", file, "--token", AdminToken);
            }
            finally
            {
                File.Delete(file);
            }
        }

        var allowed = await kubectl.RunAsync("get", "configmaps", "--token", AliceToken);
        Assert.True(allowed.ExitCode == 0, allowed.Describe());
        Assert.Contains("No resources found in default namespace.", allowed.Stderr);
    }
}
