using System.Net;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Tests.Server;

public class CustomResourceTests : ClusterTestBase
{
    private const string Crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    private const string Widgets = WidgetCrd.Collection;

    private async Task InstallAsync()
    {
        await CreateOkAsync(Crds, WidgetCrd.Definition());
        await EventuallyAsync(async () => (await GetAsync("/apis/example.com/v1")).Status == HttpStatusCode.OK, "the Widget kind to be served");
    }

    [Fact]
    public async Task A_new_CRD_is_accepted_established_and_served_with_its_subresources()
    {
        await InstallAsync();
        var crd = await GetAsync(Crds + "/widgets.example.com");
        var conditions = crd.Json!["status"]!["conditions"]!.AsArray();
        Assert.Contains(conditions, c => c!["type"]!.GetValue<string>() == "NamesAccepted" && c["status"]!.GetValue<string>() == "True" && c["reason"]!.GetValue<string>() == "NoConflicts");
        Assert.Contains(conditions, c => c!["type"]!.GetValue<string>() == "Established" && c["status"]!.GetValue<string>() == "True");
        Assert.Equal("Widget", crd.Json["status"]!["acceptedNames"]!["kind"]!.GetValue<string>());
        Assert.Equal("v1", crd.Json["status"]!["storedVersions"]![0]!.GetValue<string>());

        var discovery = await GetAsync("/apis/example.com/v1");
        var resources = discovery.Json!["resources"]!.AsArray().Select(r => r!.AsObject()).ToList();
        var widgets = resources.Single(r => r["name"]!.GetValue<string>() == "widgets");
        Assert.True(widgets["namespaced"]!.GetValue<bool>());
        Assert.Equal("wd", widgets["shortNames"]![0]!.GetValue<string>());
        Assert.Equal("gadgets", widgets["categories"]![0]!.GetValue<string>());
        Assert.Contains(resources, r => r["name"]!.GetValue<string>() == "widgets/status" && r["kind"]!.GetValue<string>() == "Widget");
        Assert.Contains(resources, r => r["name"]!.GetValue<string>() == "widgets/scale" && r["kind"]!.GetValue<string>() == "Scale");
        var groups = await GetAsync("/apis");
        Assert.Contains(groups.Json!["groups"]!.AsArray(), g => g!["name"]!.GetValue<string>() == "example.com");
        var openapi = await GetAsync("/openapi/v3");
        Assert.True(openapi.Json!["paths"]!.AsObject().ContainsKey("apis/example.com/v1"));
    }

    [Fact]
    public async Task An_invalid_CRD_is_rejected_with_422()
    {
        var crd = WidgetCrd.Definition();
        crd["metadata"]!["name"] = "wrong.example.com";
        var reply = await PostAsync(Crds, crd);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reply.Status);
        Assert.Contains("spec.names.plural", reply.Message);
    }

    [Fact]
    public async Task Defaults_are_filled_and_unknown_fields_pruned_with_a_warning()
    {
        await InstallAsync();
        var reply = await PostAsync(Widgets, WidgetCrd.Widget("w", extraSpec: new JsonObject { ["bogus"] = 1 }));
        Assert.Equal(HttpStatusCode.Created, reply.Status);
        Assert.Equal(1, reply.Json!["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("blue", reply.Json["spec"]!["color"]!.GetValue<string>());
        Assert.Null(reply.Json["spec"]!["bogus"]);
        Assert.Contains(reply.Warnings, w => w.Contains("unknown field \\\"spec.bogus\\\"") || w.Contains("unknown field \"spec.bogus\""));
        Assert.Equal(1, Generation(reply.Json));
    }

    [Fact]
    public async Task Strict_field_validation_rejects_unknown_fields_with_a_400_strict_decoding_error()
    {
        await InstallAsync();
        var reply = await PostAsync(Widgets + "?fieldValidation=Strict", WidgetCrd.Widget("w", extraSpec: new JsonObject { ["bogus"] = 1 }));
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("Widget in version \"v1\" cannot be handled as a Widget: strict decoding error: unknown field \"spec.bogus\"", reply.Message);
    }

    [Fact]
    public async Task Schema_violations_are_422_Invalid_with_field_causes()
    {
        await InstallAsync();
        var body = WidgetCrd.Widget("bad", size: "huge");
        var reply = await PostAsync(Widgets, body);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reply.Status);
        Assert.Equal("Invalid", reply.Reason);
        Assert.StartsWith("Widget.example.com \"bad\" is invalid:", reply.Message);
        var cause = reply.Json!["details"]!["causes"]![0]!;
        Assert.Equal("FieldValueNotSupported", cause["reason"]!.GetValue<string>());
        Assert.Equal("spec.size", cause["field"]!.GetValue<string>());
        Assert.Equal("Widget", reply.Json["details"]!["kind"]!.GetValue<string>());

        var missing = WidgetCrd.Widget("bad2");
        missing["spec"]!.AsObject().Remove("size");
        var required = await PostAsync(Widgets, missing);
        Assert.Equal("FieldValueRequired", required.Json!["details"]!["causes"]![0]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Custom_resources_need_a_resourceVersion_to_update_and_reject_strategic_merge_patch()
    {
        await InstallAsync();
        var created = await CreateOkAsync(Widgets, WidgetCrd.Widget("u"));
        var withoutVersion = (JsonObject)created.DeepClone();
        withoutVersion["metadata"]!.AsObject().Remove("resourceVersion");
        var put = await PutAsync(Widgets + "/u", withoutVersion);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, put.Status);
        Assert.Contains("must be specified for an update", put.Message);

        var smp = await PatchAsync(Widgets + "/u", new JsonObject { ["spec"] = new JsonObject { ["size"] = "large" } }, "application/strategic-merge-patch+json");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, smp.Status);
        Assert.Equal("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml", smp.Message);
    }

    [Fact]
    public async Task Generation_moves_only_with_content_outside_metadata_and_status()
    {
        await InstallAsync();
        await CreateOkAsync(Widgets, WidgetCrd.Widget("g"));
        var labelled = await PatchAsync(Widgets + "/g", JsonNode.Parse("""{"metadata":{"labels":{"a":"b"},"annotations":{"c":"d"}}}""")!);
        Assert.Equal(1, Generation(labelled.Json!));
        var status = await PatchAsync(Widgets + "/g/status", JsonNode.Parse("""{"status":{"replicas":2}}""")!);
        Assert.Equal(1, Generation(status.Json!));
        Assert.Equal(2, status.Json!["status"]!["replicas"]!.GetValue<int>());
        var spec = await PatchAsync(Widgets + "/g", JsonNode.Parse("""{"spec":{"size":"large"},"status":{"replicas":9}}""")!);
        Assert.Equal(2, Generation(spec.Json!));
        Assert.Equal(2, spec.Json!["status"]!["replicas"]!.GetValue<int>());
    }

    [Fact]
    public async Task Custom_scale_subresource_follows_the_CRD_paths()
    {
        await InstallAsync();
        await CreateOkAsync(Widgets, WidgetCrd.Widget("s"));
        await PatchAsync(Widgets + "/s/status", JsonNode.Parse("""{"status":{"replicas":1,"selector":"app=s"}}""")!);
        var scale = await GetAsync(Widgets + "/s/scale");
        Assert.Equal("autoscaling/v1", scale.Json!["apiVersion"]!.GetValue<string>());
        Assert.Equal(1, scale.Json["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("app=s", scale.Json["status"]!["selector"]!.GetValue<string>());
        var scaled = await PatchAsync(Widgets + "/s/scale", JsonNode.Parse("""{"spec":{"replicas":4}}""")!);
        Assert.Equal(4, scaled.Json!["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(4, (await GetAsync(Widgets + "/s")).Json!["spec"]!["replicas"]!.GetValue<int>());
    }

    [Fact]
    public async Task NotFound_for_a_custom_resource_names_the_plural_and_group()
    {
        await InstallAsync();
        var reply = await GetAsync(Widgets + "/missing");
        Assert.Equal("widgets.example.com \"missing\" not found", reply.Message);
    }

    [Fact]
    public async Task Deleting_a_custom_resource_answers_a_Success_Status()
    {
        await InstallAsync();
        var created = await CreateOkAsync(Widgets, WidgetCrd.Widget("d"));
        var reply = await DeleteAsync(Widgets + "/d");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("Status", reply.Json!["kind"]!.GetValue<string>());
        Assert.Equal("Success", reply.Json["status"]!.GetValue<string>());
        Assert.Equal("widgets", reply.Json["details"]!["kind"]!.GetValue<string>());
        Assert.Equal(created["metadata"]!["uid"]!.GetValue<string>(), reply.Json["details"]!["uid"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deleting_a_CRD_deletes_its_instances_and_stops_serving_the_kind()
    {
        await InstallAsync();
        await CreateOkAsync(Widgets, WidgetCrd.Widget("one"));
        await CreateOkAsync(Widgets, WidgetCrd.Widget("two"));
        var reply = await DeleteAsync(Crds + "/widgets.example.com");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        await EventuallyAsync(async () => (await GetAsync(Crds + "/widgets.example.com")).Status == HttpStatusCode.NotFound, "the CRD to go");
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("/apis/example.com/v1")).Status);
        Assert.Empty(Server.Operations.ObjectStore.List("widgets.example.com", null).Items);
    }

    [Fact]
    public async Task Cluster_scoped_custom_resources_live_outside_namespaces()
    {
        await CreateOkAsync(Crds, WidgetCrd.Definition(scope: "Cluster"));
        await EventuallyAsync(async () => (await GetAsync("/apis/example.com/v1")).Status == HttpStatusCode.OK, "the kind to be served");
        var created = await CreateOkAsync("/apis/example.com/v1/widgets", WidgetCrd.Widget("global"));
        Assert.Null(created["metadata"]!["namespace"]);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/apis/example.com/v1/widgets/global")).Status);
    }

    [Fact]
    public async Task Apply_creates_and_reapplying_the_same_body_keeps_the_resourceVersion()
    {
        await InstallAsync();
        var body = WidgetCrd.Widget("ap");
        var created = await PatchAsync(Widgets + "/ap?fieldManager=kubectl&force=false", body, "application/apply-patch+yaml");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var again = await PatchAsync(Widgets + "/ap?fieldManager=kubectl&force=false", body, "application/apply-patch+yaml");
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(Rv(created.Json!), Rv(again.Json!));
    }
}
