using System.Net;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Tests.Server;

/// <summary>pods/{name}/log exists, is discoverable, and says at once that there are no containers to read.</summary>
public class PodLogTests : ClusterTestBase
{
    private const string Pods = "/api/v1/namespaces/default/pods";

    private static JsonObject Pod(string name) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "main", ["image"] = "busybox" }) },
    };

    [Fact]
    public async Task Reading_a_pods_log_is_a_400_status_naming_the_pod()
    {
        await CreateOkAsync(Pods, Pod("tool"));

        var reply = await GetAsync(Pods + "/tool/log?container=main&follow=true");

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("Status", reply.Json!["kind"]!.GetValue<string>());
        Assert.Equal("BadRequest", reply.Reason);
        Assert.Equal("the dev cluster runs no containers, so pod \"tool\" has no logs", reply.Message);
    }

    [Fact]
    public async Task A_missing_pod_is_404_and_writes_to_log_are_not_allowed()
    {
        var missing = await GetAsync(Pods + "/ghost/log");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("pods \"ghost\" not found", missing.Message);

        await CreateOkAsync(Pods, Pod("tool"));
        var put = await PutAsync(Pods + "/tool/log", Pod("tool"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, put.Status);

        // Other kinds have no log subresource.
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("/api/v1/namespaces/default/configmaps/x/log")).Status);
    }

    [Fact]
    public async Task Discovery_and_openapi_list_the_log_subresource()
    {
        var core = (await GetAsync("/api/v1")).Json!;
        var log = core["resources"]!.AsArray().Select(r => r!.AsObject()).Single(r => r["name"]!.GetValue<string>() == "pods/log");
        Assert.Equal("Pod", log["kind"]!.GetValue<string>());
        Assert.Equal("""["get"]""", log["verbs"]!.ToJsonString());

        var openApi = (await GetAsync("/openapi/v3/api/v1")).Json!;
        var path = openApi["paths"]!["/api/v1/namespaces/{namespace}/pods/{name}/log"]!;
        Assert.NotNull(path["get"]!["responses"]!["200"]!["content"]!["text/plain"]);
    }
}
