using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Drover.DevCluster.Access;
using Drover.DevCluster.Tests.Server;

namespace Drover.DevCluster.Tests.Access;

/// <summary>A dev cluster with bearer tokens for an administrator, alice (group devs) and a ServiceAccount.</summary>
public abstract class AccessTestBase : ClusterTestBase
{
    protected const string AdminToken = "admin-token";
    protected const string AliceToken = "alice-token";
    protected const string OperatorToken = "operator-token";

    protected static IReadOnlyDictionary<string, DevClusterUser> Tokens { get; } = new Dictionary<string, DevClusterUser>
    {
        [AdminToken] = DevClusterUser.Admin(),
        [AliceToken] = new("alice", "devs"),
        [OperatorToken] = DevClusterUser.ServiceAccount("drover-system", "drover"),
    };

    /// <summary>Sends a request as the holder of <paramref name="token"/> (none: anonymously).</summary>
    protected async Task<Reply> AsAsync(string? token, HttpMethod method, string path, JsonNode? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = response.Content.Headers.ContentType?.MediaType == "application/json" && text.Length > 0 ? JsonNode.Parse(text) as JsonObject : null;
        return new Reply(response.StatusCode, json, text, [], null);
    }

    protected Task<Reply> AdminCreateAsync(string path, JsonNode body) => AsAsync(AdminToken, HttpMethod.Post, path, body);

    protected static JsonObject Role(string name, string ns, params JsonObject[] rules) => new()
    {
        ["apiVersion"] = "rbac.authorization.k8s.io/v1",
        ["kind"] = ns.Length == 0 ? "ClusterRole" : "Role",
        ["metadata"] = ns.Length == 0 ? new JsonObject { ["name"] = name } : new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["rules"] = new JsonArray([.. rules]),
    };

    protected static JsonObject Rule(string[] groups, string[] resources, string[] verbs, string[]? names = null)
    {
        var rule = new JsonObject
        {
            ["apiGroups"] = new JsonArray([.. groups.Select(g => (JsonNode)g)]),
            ["resources"] = new JsonArray([.. resources.Select(r => (JsonNode)r)]),
            ["verbs"] = new JsonArray([.. verbs.Select(v => (JsonNode)v)]),
        };
        if (names is not null)
        {
            rule["resourceNames"] = new JsonArray([.. names.Select(n => (JsonNode)n)]);
        }

        return rule;
    }

    protected static JsonObject Binding(string name, string ns, string roleKind, string role, params JsonObject[] subjects) => new()
    {
        ["apiVersion"] = "rbac.authorization.k8s.io/v1",
        ["kind"] = ns.Length == 0 ? "ClusterRoleBinding" : "RoleBinding",
        ["metadata"] = ns.Length == 0 ? new JsonObject { ["name"] = name } : new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = roleKind, ["name"] = role },
        ["subjects"] = new JsonArray([.. subjects]),
    };

    protected static JsonObject Subject(string kind, string name, string? ns = null)
    {
        var subject = new JsonObject { ["kind"] = kind, ["name"] = name };
        if (kind != "ServiceAccount")
        {
            subject["apiGroup"] = "rbac.authorization.k8s.io";
        }

        if (ns is not null)
        {
            subject["namespace"] = ns;
        }

        return subject;
    }

    protected async Task GrantAsync(string ns, string name, JsonObject subject, params JsonObject[] rules)
    {
        var roles = ns.Length == 0 ? "/apis/rbac.authorization.k8s.io/v1/clusterroles" : $"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles";
        var bindings = ns.Length == 0 ? "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings" : $"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings";
        Assert.Equal(System.Net.HttpStatusCode.Created, (await AdminCreateAsync(roles, Role(name, ns, rules))).Status);
        Assert.Equal(System.Net.HttpStatusCode.Created, (await AdminCreateAsync(bindings, Binding(name, ns, ns.Length == 0 ? "ClusterRole" : "Role", name, subject))).Status);
    }
}
