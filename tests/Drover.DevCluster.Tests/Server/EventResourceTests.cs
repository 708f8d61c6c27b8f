using System.Net;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Tests.Server;

/// <summary>core/v1 and events.k8s.io/v1 Events are one resource: both APIs see and change the same objects.</summary>
public class EventResourceTests : ClusterTestBase
{
    private const string CoreEvents = "/api/v1/namespaces/default/events";
    private const string NewEvents = "/apis/events.k8s.io/v1/namespaces/default/events";

    /// <summary>An Event as the operator's EventRecorder writes it through events.k8s.io/v1.</summary>
    private static JsonObject Recorded(string name, string regardingName = "echo", string reason = "InvalidSpec") => new()
    {
        ["apiVersion"] = "events.k8s.io/v1",
        ["kind"] = "Event",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default" },
        ["eventTime"] = "2025-03-01T10:00:00.123456Z",
        ["type"] = "Warning",
        ["reason"] = reason,
        ["action"] = "Reconcile",
        ["note"] = "spec.model is not served by provider openai",
        ["reportingController"] = "drover.dev/operator",
        ["reportingInstance"] = "operator-0",
        ["regarding"] = new JsonObject
        {
            ["apiVersion"] = "drover.dev/v1alpha1",
            ["kind"] = "Agent",
            ["name"] = regardingName,
            ["namespace"] = "default",
            ["uid"] = $"uid-{regardingName}",
            ["resourceVersion"] = "7",
        },
    };

    private static List<string> Names(JsonObject list) =>
        [.. list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>())];

    [Fact]
    public async Task An_event_written_through_events_k8s_io_reads_through_core_with_the_real_field_mapping()
    {
        var created = await CreateOkAsync(NewEvents, Recorded("echo.1"));
        Assert.Equal("events.k8s.io/v1", created["apiVersion"]!.GetValue<string>());

        var core = (await GetAsync(CoreEvents + "/echo.1")).Json!;
        Assert.Equal("v1", core["apiVersion"]!.GetValue<string>());
        Assert.Equal(created["metadata"]!["uid"]!.GetValue<string>(), core["metadata"]!["uid"]!.GetValue<string>());
        Assert.Equal(Rv(created), Rv(core));
        Assert.Equal(
            """{"kind":"Agent","namespace":"default","name":"echo","uid":"uid-echo","apiVersion":"drover.dev/v1alpha1","resourceVersion":"7"}""",
            Sorted(core["involvedObject"]!, "kind", "namespace", "name", "uid", "apiVersion", "resourceVersion"));
        Assert.Equal("spec.model is not served by provider openai", core["message"]!.GetValue<string>());
        Assert.Equal("drover.dev/operator", core["reportingComponent"]!.GetValue<string>());
        Assert.Equal("operator-0", core["reportingInstance"]!.GetValue<string>());
        Assert.Equal("2025-03-01T10:00:00.123456Z", core["eventTime"]!.GetValue<string>());
        Assert.Equal("Warning", core["type"]!.GetValue<string>());
        Assert.Equal("InvalidSpec", core["reason"]!.GetValue<string>());
        Assert.Equal("Reconcile", core["action"]!.GetValue<string>());
        Assert.Equal("{}", core["source"]!.ToJsonString());
        Assert.Null(core["firstTimestamp"]);
        Assert.True(core.ContainsKey("firstTimestamp"));
        Assert.Null(core["count"]);
        Assert.Null(core["note"]);
        Assert.Null(core["regarding"]);

        // The writer's fields are recorded in the version it wrote, as the real server's field manager does.
        var entry = core["metadata"]!["managedFields"]![0]!;
        Assert.Equal("events.k8s.io/v1", entry["apiVersion"]!.GetValue<string>());
        Assert.NotNull(entry["fieldsV1"]!["f:note"]);
        Assert.NotNull(entry["fieldsV1"]!["f:regarding"]);
    }

    [Fact]
    public async Task A_core_event_reads_through_events_k8s_io_with_its_deprecated_fields()
    {
        await CreateOkAsync(CoreEvents, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "web.1" },
            ["involvedObject"] = new JsonObject { ["kind"] = "Deployment", ["name"] = "web", ["namespace"] = "default", ["fieldPath"] = "spec" },
            ["reason"] = "ScalingReplicaSet",
            ["message"] = "Scaled up replica set web-123 to 2",
            ["source"] = new JsonObject { ["component"] = "deployment-controller" },
            ["firstTimestamp"] = "2025-03-01T10:00:00Z",
            ["lastTimestamp"] = "2025-03-01T10:05:00Z",
            ["count"] = 4,
            ["type"] = "Normal",
            ["related"] = new JsonObject { ["kind"] = "ReplicaSet", ["name"] = "web-123" },
        });

        var viewed = (await GetAsync(NewEvents + "/web.1")).Json!;

        Assert.Equal("Event", viewed["kind"]!.GetValue<string>());
        Assert.Equal("events.k8s.io/v1", viewed["apiVersion"]!.GetValue<string>());
        Assert.Equal("web", viewed["regarding"]!["name"]!.GetValue<string>());
        Assert.Equal("spec", viewed["regarding"]!["fieldPath"]!.GetValue<string>());
        Assert.Equal("Scaled up replica set web-123 to 2", viewed["note"]!.GetValue<string>());
        Assert.Equal("""{"component":"deployment-controller"}""", viewed["deprecatedSource"]!.ToJsonString());
        Assert.Equal("2025-03-01T10:00:00Z", viewed["deprecatedFirstTimestamp"]!.GetValue<string>());
        Assert.Equal("2025-03-01T10:05:00Z", viewed["deprecatedLastTimestamp"]!.GetValue<string>());
        Assert.Equal(4, viewed["deprecatedCount"]!.GetValue<int>());
        Assert.Equal("ReplicaSet", viewed["related"]!["kind"]!.GetValue<string>());
        Assert.Null(viewed["eventTime"]);
        Assert.Null(viewed["reportingController"]);
        Assert.Null(viewed["involvedObject"]);
        Assert.Null(viewed["message"]);
    }

    [Fact]
    public async Task Both_apis_list_and_watch_the_same_objects()
    {
        using var coreWatch = await WatchAsync(CoreEvents + "?watch=true");
        using var newWatch = await WatchAsync(NewEvents + "?watch=true");
        await CreateOkAsync(NewEvents, Recorded("a.1", "a"));
        await CreateOkAsync(CoreEvents, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "b.1" }, ["involvedObject"] = new JsonObject { ["kind"] = "Pod", ["name"] = "b" } });

        Assert.Equal(["a.1", "b.1"], Names((await GetAsync(CoreEvents)).Json!));
        Assert.Equal(["a.1", "b.1"], Names((await GetAsync(NewEvents)).Json!));
        Assert.Equal(["a.1", "b.1"], Names((await GetAsync("/api/v1/events")).Json!));

        var first = (await coreWatch.NextAsync())!.Value;
        Assert.Equal(("ADDED", "v1", "Agent"), (first.Type, first.Object["apiVersion"]!.GetValue<string>(), first.Object["involvedObject"]!["kind"]!.GetValue<string>()));
        var second = (await newWatch.NextAsync())!.Value;
        Assert.Equal("events.k8s.io/v1", second.Object["apiVersion"]!.GetValue<string>());
        Assert.Equal("a.1", second.Object["metadata"]!["name"]!.GetValue<string>());
        var third = (await newWatch.NextAsync())!.Value;
        Assert.Equal("b", third.Object["regarding"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_series_merge_patch_through_events_k8s_io_shows_in_core()
    {
        await CreateOkAsync(NewEvents, Recorded("echo.1"));

        var patched = await PatchAsync(NewEvents + "/echo.1", JsonNode.Parse("""{"series":{"count":2,"lastObservedTime":"2025-03-01T10:01:00.000000Z"}}""")!);
        Assert.Equal(HttpStatusCode.OK, patched.Status);
        Assert.Equal("events.k8s.io/v1", patched.Json!["apiVersion"]!.GetValue<string>());

        var core = (await GetAsync(CoreEvents + "/echo.1")).Json!;
        Assert.Equal("""{"count":2,"lastObservedTime":"2025-03-01T10:01:00.000000Z"}""", core["series"]!.ToJsonString());

        // A patch of a renamed field changes the stored field it maps to.
        await PatchAsync(NewEvents + "/echo.1", JsonNode.Parse("""{"note":"fixed"}""")!);
        Assert.Equal("fixed", (await GetAsync(CoreEvents + "/echo.1")).Json!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deleting_through_either_api_removes_the_one_object()
    {
        await CreateOkAsync(NewEvents, Recorded("echo.1"));
        Assert.Equal(HttpStatusCode.OK, (await DeleteAsync(CoreEvents + "/echo.1")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(NewEvents + "/echo.1")).Status);

        await CreateOkAsync(CoreEvents, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "x" } });
        Assert.Equal(HttpStatusCode.OK, (await DeleteAsync(NewEvents + "/x")).Status);
        Assert.Empty(Names((await GetAsync(CoreEvents)).Json!));
    }

    // echo.1 is written through events.k8s.io and other.1 through core: each API must select the other's.
    [Theory]
    [InlineData(CoreEvents, "involvedObject.name=echo,involvedObject.namespace=default,involvedObject.kind=Agent,involvedObject.uid=uid-echo", "echo.1")]
    [InlineData(CoreEvents, "involvedObject.apiVersion=drover.dev/v1alpha1,involvedObject.name=echo", "echo.1")]
    [InlineData(CoreEvents, "reason=InvalidSpec", "echo.1")]
    [InlineData(CoreEvents, "type=Warning,reason!=Evicted", "echo.1")]
    [InlineData(CoreEvents, "reportingComponent=drover.dev/operator,involvedObject.name=echo", "echo.1")]
    [InlineData(CoreEvents, "source=drover.dev/operator,involvedObject.name=echo", "echo.1")]
    [InlineData(CoreEvents, "metadata.name=echo.1", "echo.1")]
    [InlineData(NewEvents, "regarding.name=other,regarding.kind=Agent,regarding.uid=uid-other,regarding.namespace=default", "other.1")]
    [InlineData(NewEvents, "reportingController=drover.dev/operator,regarding.name=other", "other.1")]
    [InlineData(NewEvents, "reason=Evicted,type=Warning", "other.1")]
    [InlineData(NewEvents, "source=drover.dev/operator,regarding.name=other", "other.1")]
    public async Task Field_selectors_use_each_apis_labels_over_the_same_objects(string path, string selector, string expected)
    {
        await CreateOkAsync(NewEvents, Recorded("echo.1"));
        await CreateOkAsync(CoreEvents, EventsV1ToCore(Recorded("other.1", regardingName: "other", reason: "Evicted")));

        var list = await GetAsync($"{path}?fieldSelector={Uri.EscapeDataString(selector)}");

        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.Equal([expected], Names(list.Json!));
    }

    [Theory]
    [InlineData(CoreEvents, "regarding.name=echo", "regarding.name")]
    [InlineData(NewEvents, "involvedObject.name=echo", "involvedObject.name")]
    [InlineData(CoreEvents, "spec.nodeName=n1", "spec.nodeName")]
    public async Task A_field_label_the_api_does_not_support_is_refused(string path, string selector, string label)
    {
        var reply = await GetAsync($"{path}?fieldSelector={Uri.EscapeDataString(selector)}");

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal($"field label not supported: {label}", reply.Message);
    }

    [Fact]
    public async Task A_field_selected_watch_on_either_api_sees_events_written_through_the_other()
    {
        using var watch = await WatchAsync(NewEvents + "?watch=true&fieldSelector=" + Uri.EscapeDataString("regarding.name=web"));
        await CreateOkAsync(CoreEvents, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "other" }, ["involvedObject"] = new JsonObject { ["name"] = "other" } });
        await CreateOkAsync(CoreEvents, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "web.1" }, ["involvedObject"] = new JsonObject { ["name"] = "web" } });

        var added = (await watch.NextAsync())!.Value;
        Assert.Equal("web.1", added.Object["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("web", added.Object["regarding"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Server_side_apply_through_events_k8s_io_creates_and_updates_the_core_event()
    {
        var applied = Recorded("echo.1");
        var created = await SendAsync(HttpMethod.Patch, NewEvents + "/echo.1?fieldManager=recorder", applied, "application/apply-patch+yaml");
        Assert.Equal(HttpStatusCode.Created, created.Status);

        applied["note"] = "now fixed";
        var updated = await SendAsync(HttpMethod.Patch, NewEvents + "/echo.1?fieldManager=recorder", applied, "application/apply-patch+yaml");
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal("now fixed", updated.Json!["note"]!.GetValue<string>());
        Assert.Equal("now fixed", (await GetAsync(CoreEvents + "/echo.1")).Json!["message"]!.GetValue<string>());
    }

    /// <summary>The same event written the core way, as a kubelet or kubectl would.</summary>
    private static JsonObject EventsV1ToCore(JsonObject e) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Event",
        ["metadata"] = e["metadata"]!.DeepClone(),
        ["involvedObject"] = e["regarding"]!.DeepClone(),
        ["reason"] = e["reason"]!.DeepClone(),
        ["message"] = e["note"]!.DeepClone(),
        ["type"] = e["type"]!.DeepClone(),
        ["eventTime"] = e["eventTime"]!.DeepClone(),
        ["action"] = e["action"]!.DeepClone(),
        ["reportingComponent"] = e["reportingController"]!.DeepClone(),
        ["reportingInstance"] = e["reportingInstance"]!.DeepClone(),
    };

    private static string Sorted(JsonNode node, params string[] keys)
    {
        var result = new JsonObject();
        foreach (var key in keys)
        {
            result[key] = node[key]?.DeepClone();
        }

        return result.ToJsonString();
    }
}
