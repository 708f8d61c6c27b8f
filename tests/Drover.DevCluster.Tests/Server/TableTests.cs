using System.Net;
using System.Text.Json.Nodes;
using Drover.DevCluster.Tables;

namespace Drover.DevCluster.Tests.Server;

public class TableTests : ClusterTestBase
{
    private const string TableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

    private static List<string> Columns(JsonObject table) =>
        [.. table["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>())];

    [Fact]
    public async Task Deployments_print_ready_up_to_date_available_and_age()
    {
        await CreateOkAsync("/apis/apps/v1/namespaces/default/deployments", Deployment("web", replicas: 2));
        var reply = await GetAsync("/apis/apps/v1/namespaces/default/deployments?limit=500", TableAccept);
        Assert.Equal("Table", reply.Json!["kind"]!.GetValue<string>());
        Assert.Equal("meta.k8s.io/v1", reply.Json["apiVersion"]!.GetValue<string>());
        Assert.Equal(["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"], Columns(reply.Json));
        Assert.Equal("name", reply.Json["columnDefinitions"]![0]!["format"]!.GetValue<string>());
        var row = reply.Json["rows"]![0]!;
        Assert.Equal("web", row["cells"]![0]!.GetValue<string>());
        Assert.Equal("0/2", row["cells"]![1]!.GetValue<string>());
        Assert.Equal("PartialObjectMetadata", row["object"]!["kind"]!.GetValue<string>());
        Assert.Equal("default", row["object"]!["metadata"]!["namespace"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_single_get_is_a_one_row_table_and_includeObject_controls_the_row_object()
    {
        await CreateOkAsync("/api/v1/namespaces/default/configmaps", ConfigMap("one"));
        var full = await GetAsync("/api/v1/namespaces/default/configmaps/one?includeObject=Object", TableAccept);
        Assert.Single(full.Json!["rows"]!.AsArray());
        Assert.Equal("ConfigMap", full.Json["rows"]![0]!["object"]!["kind"]!.GetValue<string>());
        var none = await GetAsync("/api/v1/namespaces/default/configmaps/one?includeObject=None", TableAccept);
        Assert.Null(none.Json!["rows"]![0]!["object"]);
        var bad = await GetAsync("/api/v1/namespaces/default/configmaps/one?includeObject=Everything", TableAccept);
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
    }

    [Fact]
    public async Task Custom_resources_print_their_printer_columns_with_filters_and_ages()
    {
        await CreateOkAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", WidgetCrd.Definition());
        await EventuallyAsync(async () => (await GetAsync("/apis/example.com/v1")).Status == HttpStatusCode.OK, "the kind to be served");
        await CreateOkAsync(WidgetCrd.Collection, WidgetCrd.Widget("w", size: "large"));
        await PatchAsync(WidgetCrd.Collection + "/w/status", JsonNode.Parse("""{"status":{"conditions":[{"type":"Synced","status":"False"},{"type":"Ready","status":"True"}]}}""")!);

        var reply = await GetAsync(WidgetCrd.Collection, TableAccept);
        Assert.Equal(["Name", "Size", "Replicas", "Ready", "Age"], Columns(reply.Json!));
        var cells = reply.Json!["rows"]![0]!["cells"]!.AsArray();
        Assert.Equal("w", cells[0]!.GetValue<string>());
        Assert.Equal("large", cells[1]!.GetValue<string>());
        Assert.Equal(1, cells[2]!.GetValue<long>());
        Assert.Equal("True", cells[3]!.GetValue<string>());
        Assert.Matches("^[0-9]+s$", cells[4]!.GetValue<string>());
    }

    [Fact]
    public async Task Table_watches_send_column_definitions_only_in_the_first_event()
    {
        var created = await CreateOkAsync("/api/v1/namespaces/default/configmaps", ConfigMap("t1"));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={Rv(created)}");
        request.Headers.TryAddWithoutValidation("Accept", TableAccept);
        var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var watch = new WatchReader(response, await response.Content.ReadAsStreamAsync());
        await CreateOkAsync("/api/v1/namespaces/default/configmaps", ConfigMap("t2"));
        await CreateOkAsync("/api/v1/namespaces/default/configmaps", ConfigMap("t3"));
        var first = (await watch.NextAsync())!.Value.Object;
        var second = (await watch.NextAsync())!.Value.Object;
        Assert.Equal("Table", first["kind"]!.GetValue<string>());
        Assert.Equal(["Name", "Data", "Age"], Columns(first));
        Assert.Empty(second["columnDefinitions"]!.AsArray());
        Assert.Equal("t3", second["rows"]![0]!["cells"]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData(5, "5s")]
    [InlineData(119, "119s")]
    [InlineData(302, "5m2s")]
    [InlineData(600, "10m")]
    [InlineData(3 * 3600, "3h")]
    [InlineData(3 * 3600 + 120, "3h2m")]
    [InlineData(20 * 3600, "20h")]
    [InlineData(53 * 3600, "2d5h")]
    [InlineData(10 * 86400, "10d")]
    [InlineData(800 * 86400, "2y70d")]
    public void Ages_render_like_kubectl(int seconds, string expected) =>
        Assert.Equal(expected, HumanDuration.Format(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void JsonPath_filters_pick_the_matching_condition()
    {
        var obj = JsonNode.Parse("""{"status":{"conditions":[{"type":"A","status":"x"},{"type":"Ready","status":"y"}]},"metadata":{"labels":{"app.kubernetes.io/name":"n"}}}""");
        Assert.Equal("y", JsonPathExpression.Render(JsonPathExpression.Parse(".status.conditions[?(@.type==\"Ready\")].status").Evaluate(obj)));
        Assert.Equal("x y", JsonPathExpression.Render(JsonPathExpression.Parse(".status.conditions[*].status").Evaluate(obj)));
        Assert.Equal("n", JsonPathExpression.Render(JsonPathExpression.Parse(".metadata.labels['app.kubernetes.io/name']").Evaluate(obj)));
        Assert.Empty(JsonPathExpression.Parse(".spec.missing").Evaluate(obj));
    }
}
