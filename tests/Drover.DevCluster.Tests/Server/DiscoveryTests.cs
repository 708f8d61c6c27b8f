using System.Net;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Tests.Server;

public class DiscoveryTests : ClusterTestBase
{
    [Fact]
    public async Task Version_is_a_plain_v1_35_semver()
    {
        var reply = await GetAsync("/version");
        Assert.Equal("v1.35.0", reply.Json!["gitVersion"]!.GetValue<string>());
        Assert.Equal("35", reply.Json["minor"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    [InlineData("/livez")]
    public async Task Health_endpoints_answer_ok(string path)
    {
        var reply = await GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("ok", reply.Text);
    }

    [Fact]
    public async Task Api_and_apis_answer_legacy_documents_with_plain_json_even_when_aggregated_is_asked_for()
    {
        const string accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/apis");
        request.Headers.TryAddWithoutValidation("Accept", accept);
        using var response = await Http.SendAsync(request);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.ToString());
        var groups = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("APIGroupList", groups["kind"]!.GetValue<string>());
        var names = groups["groups"]!.AsArray().Select(g => g!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("apps", names);
        Assert.Contains("apiextensions.k8s.io", names);
        Assert.DoesNotContain(string.Empty, names);

        var core = await GetAsync("/api", accept);
        Assert.Equal("APIVersions", core.Json!["kind"]!.GetValue<string>());
        Assert.Equal("v1", core.Json["versions"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Deployments_list_their_scale_subresource_as_autoscaling_v1_Scale()
    {
        var reply = await GetAsync("/apis/apps/v1");
        var resources = reply.Json!["resources"]!.AsArray().Select(r => r!.AsObject()).ToList();
        var deployments = resources.Single(r => r["name"]!.GetValue<string>() == "deployments");
        Assert.Equal("deployment", deployments["singularName"]!.GetValue<string>());
        Assert.Contains("deploy", deployments["shortNames"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Contains("all", deployments["categories"]!.AsArray().Select(s => s!.GetValue<string>()));
        var scale = resources.Single(r => r["name"]!.GetValue<string>() == "deployments/scale");
        Assert.Equal("autoscaling", scale["group"]!.GetValue<string>());
        Assert.Equal("v1", scale["version"]!.GetValue<string>());
        Assert.Equal("Scale", scale["kind"]!.GetValue<string>());
        Assert.Equal(string.Empty, scale["singularName"]!.GetValue<string>());
        Assert.Contains(resources, r => r["name"]!.GetValue<string>() == "deployments/status");
    }

    [Fact]
    public async Task Core_v1_lists_every_builtin_core_kind()
    {
        var reply = await GetAsync("/api/v1");
        var names = reply.Json!["resources"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()).ToHashSet();
        foreach (var expected in new[] { "namespaces", "secrets", "configmaps", "serviceaccounts", "services", "events", "pods", "persistentvolumeclaims" })
        {
            Assert.Contains(expected, names);
        }
    }

    [Fact]
    public async Task OpenApi_v3_declares_fieldValidation_on_every_patch_operation()
    {
        var index = await GetAsync("/openapi/v3");
        var paths = index.Json!["paths"]!.AsObject();
        Assert.True(paths.ContainsKey("api/v1"));
        Assert.True(paths.ContainsKey("apis/apps/v1"));
        var url = paths["apis/apps/v1"]!["serverRelativeURL"]!.GetValue<string>();
        Assert.Contains("?hash=", url);

        var document = await GetAsync(url);
        var item = document.Json!["paths"]!["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]!["patch"]!;
        Assert.Equal("patch", item["x-kubernetes-action"]!.GetValue<string>());
        Assert.Equal("Deployment", item["x-kubernetes-group-version-kind"]!["kind"]!.GetValue<string>());
        Assert.Contains(item["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "fieldValidation" && p["in"]!.GetValue<string>() == "query");
    }

    [Fact]
    public async Task OpenApi_v2_and_unknown_paths_are_plain_404()
    {
        var v2 = await GetAsync("/openapi/v2");
        Assert.Equal(HttpStatusCode.NotFound, v2.Status);
        var unknown = await GetAsync("/apis/nope.example.com/v1/things");
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("404 page not found\n", unknown.Text);
    }
}
