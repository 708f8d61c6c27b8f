using System.Text.Json.Nodes;
using Drover.DevCluster.Patching;

namespace Drover.DevCluster.Tests.Patching;

public class StrategicMergePatchTests
{
    private static readonly FieldSchema Deployment = BuiltinSchemas.For("apps", "v1", "Deployment");

    private static readonly Lazy<JsonArray> UpstreamCases = new(() => JsonNode.Parse(StrategicMergePatchUpstreamCases.Json)!.AsArray());

    public static TheoryData<int, string> UpstreamCaseNames()
    {
        var data = new TheoryData<int, string>();
        for (var i = 0; i < UpstreamCases.Value.Count; i++)
        {
            var c = UpstreamCases.Value[i]!;
            data.Add(i, c["group"]!.GetValue<string>() + ": " + c["description"]!.GetValue<string>());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(UpstreamCaseNames))]
    public void Apimachinery_patch_application_cases_give_the_same_result(int index, string name)
    {
        var c = UpstreamCases.Value[index]!;
        Assert.NotNull(name);
        var original = c["original"]!;
        var patch = c["patch"]!;

        if (c["error"] is JsonNode expectedError)
        {
            var error = Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(original, patch, MergeItemSchema.Value));
            Assert.Equal(422, error.StatusCode);
            Assert.Contains(expectedError.GetValue<string>(), error.Message, StringComparison.Ordinal);
            return;
        }

        var result = StrategicMergePatch.Apply(original, patch, MergeItemSchema.Value);

        Assert.True(JsonNode.DeepEquals(c["expected"], result), $"expected {c["expected"]?.ToJsonString()}\n     got {result.ToJsonString()}");
    }

    [Fact]
    public void Containers_merge_by_name_and_keep_unpatched_containers()
    {
        var live = Parse("""{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"app:1"},{"name":"sidecar","image":"proxy:1"}]}}}}""");

        var result = StrategicMergePatch.Apply(live, Parse("""{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"proxy:2"}]}}}}"""), Deployment);

        AssertJson("""[{"name":"app","image":"app:1"},{"name":"sidecar","image":"proxy:2"}]""", result["spec"]!["template"]!["spec"]!["containers"]);
    }

    [Fact]
    public void Kubectl_apply_three_way_patch_orders_containers_by_set_element_order()
    {
        // What kubectl apply sends after a manifest adds "init" before "app" and changes app's image.
        var live = Parse("""{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"app:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]}]}}}}""");
        var patch = Parse("""
            {"spec":{"template":{"spec":{
              "$setElementOrder/containers":[{"name":"log"},{"name":"app"}],
              "containers":[
                {"name":"log","image":"log:1"},
                {"name":"app","image":"app:2","$setElementOrder/env":[{"name":"A"},{"name":"C"}],
                 "env":[{"name":"C","value":"3"},{"$patch":"delete","name":"B"}]}]}}}}
            """);

        var result = StrategicMergePatch.Apply(live, patch, Deployment);

        AssertJson("""
            [{"name":"log","image":"log:1"},
             {"name":"app","image":"app:2","env":[{"name":"A","value":"1"},{"name":"C","value":"3"}]}]
            """, result["spec"]!["template"]!["spec"]!["containers"]);
    }

    [Fact]
    public void Patch_delete_directive_removes_a_container()
    {
        var live = Parse("""{"spec":{"template":{"spec":{"containers":[{"name":"app"},{"name":"debug"}]}}}}""");

        var result = StrategicMergePatch.Apply(live, Parse("""{"spec":{"template":{"spec":{"containers":[{"$patch":"delete","name":"debug"}]}}}}"""), Deployment);

        AssertJson("""[{"name":"app"}]""", result["spec"]!["template"]!["spec"]!["containers"]);
    }

    [Fact]
    public void Patch_replace_directive_replaces_a_list_and_a_map()
    {
        var live = Parse("""{"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"template":{"spec":{"containers":[{"name":"app"},{"name":"debug"}]}}}}""");
        var patch = Parse("""{"metadata":{"labels":{"$patch":"replace","c":"3"}},"spec":{"template":{"spec":{"containers":[{"name":"new"},{"$patch":"replace"}]}}}}""");

        var result = StrategicMergePatch.Apply(live, patch, Deployment);

        AssertJson("""{"c":"3"}""", result["metadata"]!["labels"]);
        AssertJson("""[{"name":"new"}]""", result["spec"]!["template"]!["spec"]!["containers"]);
    }

    [Fact]
    public void Delete_from_primitive_list_removes_finalizers_and_merge_adds_them()
    {
        var live = Parse("""{"metadata":{"finalizers":["a","b","c"]}}""");

        var removed = StrategicMergePatch.Apply(live, Parse("""{"metadata":{"$deleteFromPrimitiveList/finalizers":["b"]}}"""), Deployment);
        var added = StrategicMergePatch.Apply(live, Parse("""{"metadata":{"$setElementOrder/finalizers":["a","b","c","d"],"finalizers":["d"]}}"""), Deployment);

        AssertJson("""["a","c"]""", removed["metadata"]!["finalizers"]);
        AssertJson("""["a","b","c","d"]""", added["metadata"]!["finalizers"]);
    }

    [Fact]
    public void Lists_without_a_merge_key_are_replaced()
    {
        var live = Parse("""{"spec":{"template":{"spec":{"containers":[{"name":"app","args":["a","b"]}],"tolerations":[{"key":"x"}]}}}}""");

        var result = StrategicMergePatch.Apply(live, Parse("""{"spec":{"template":{"spec":{"containers":[{"name":"app","args":["c"]}],"tolerations":[{"key":"y"}]}}}}"""), Deployment);

        AssertJson("""["c"]""", result["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]);
        AssertJson("""[{"key":"y"}]""", result["spec"]!["template"]!["spec"]!["tolerations"]);
    }

    [Fact]
    public void Retain_keys_switches_the_deployment_strategy_type()
    {
        var live = Parse("""{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}}""");

        var result = StrategicMergePatch.Apply(live, Parse("""{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}"""), Deployment);

        AssertJson("""{"type":"Recreate"}""", result["spec"]!["strategy"]);
    }

    [Fact]
    public void Retain_keys_rejects_a_patch_with_keys_outside_the_list()
    {
        var live = Parse("""{"spec":{"strategy":{"type":"RollingUpdate"}}}""");

        var error = Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(live, Parse("""{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{}}}}"""), Deployment));

        Assert.Equal(422, error.StatusCode);
    }

    [Fact]
    public void Rollout_restart_patch_adds_the_annotation_and_keeps_the_template()
    {
        var live = Parse("""{"metadata":{"name":"web"},"spec":{"replicas":2,"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"app:1"}]}}}}""");
        var patch = Parse("""{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2025-01-02T15:04:05+01:00"}}}}}""");

        var result = StrategicMergePatch.Apply(live, patch, Deployment);

        AssertJson("""
            {"metadata":{"name":"web"},"spec":{"replicas":2,"template":{"metadata":{"labels":{"app":"web"},
             "annotations":{"kubectl.kubernetes.io/restartedAt":"2025-01-02T15:04:05+01:00"}},
             "spec":{"containers":[{"name":"app","image":"app:1"}]}}}}
            """, result);
        Assert.Null(live["spec"]!["template"]!["metadata"]!["annotations"]);
    }

    [Fact]
    public void Null_deletes_a_map_key()
    {
        var live = Parse("""{"metadata":{"labels":{"a":"1","b":"2"}}}""");

        var result = StrategicMergePatch.Apply(live, Parse("""{"metadata":{"labels":{"a":null}}}"""), Deployment);

        AssertJson("""{"b":"2"}""", result["metadata"]!["labels"]);
    }

    [Fact]
    public void Ports_merge_by_container_port_and_service_ports_by_port()
    {
        var live = Parse("""{"spec":{"template":{"spec":{"containers":[{"name":"app","ports":[{"containerPort":80,"name":"http"},{"containerPort":9090,"name":"metrics"}]}]}}}}""");
        var result = StrategicMergePatch.Apply(live, Parse("""{"spec":{"template":{"spec":{"containers":[{"name":"app","ports":[{"containerPort":80,"name":"web"}]}]}}}}"""), Deployment);
        AssertJson("""[{"containerPort":80,"name":"web"},{"containerPort":9090,"name":"metrics"}]""", result["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"]);

        var service = Parse("""{"spec":{"ports":[{"port":80,"targetPort":8080},{"port":443}]}}""");
        var patched = StrategicMergePatch.Apply(service, Parse("""{"spec":{"ports":[{"port":80,"targetPort":9000}]}}"""), BuiltinSchemas.For("", "v1", "Service"));
        AssertJson("""[{"port":80,"targetPort":9000},{"port":443}]""", patched["spec"]!["ports"]);
    }

    [Fact]
    public void A_keyed_list_item_without_its_merge_key_is_422()
    {
        var live = Parse("""{"spec":{"template":{"spec":{"containers":[{"name":"app"}]}}}}""");

        var error = Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(live, Parse("""{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}"""), Deployment));

        Assert.Equal(422, error.StatusCode);
        Assert.Equal("Invalid", error.Reason);
        Assert.Contains("does not contain declared merge key: name", error.Message, StringComparison.Ordinal);
    }

    private static JsonNode Parse(string json) => JsonNode.Parse(json)!;

    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {JsonNode.Parse(expected)!.ToJsonString()}\n     got {actual?.ToJsonString()}");

    /// <summary>The upstream test type <c>MergeItem</c> (recursive) and <c>RetainKeysMergeItem</c>.</summary>
    private static readonly Lazy<FieldSchema> MergeItemSchema = new(() =>
    {
        var mergeItemFields = new Dictionary<string, FieldSchema>(StringComparer.Ordinal);
        var mergeItem = new FieldSchema { Properties = mergeItemFields };
        var retainKeysItem = FieldSchema.Struct(
            ("mergingIntList", FieldSchema.SetList()),
            ("mergingList", new FieldSchema { ItemSchema = mergeItem, PatchMergeKey = "name", PatchStrategy = "merge", ListType = ListType.Map, ListMapKeys = ["name"] }),
            ("nonMergingList", FieldSchema.AtomicList(mergeItem)));
        mergeItemFields["mergingList"] = new FieldSchema { ItemSchema = mergeItem, PatchMergeKey = "name", PatchStrategy = "merge", ListType = ListType.Map, ListMapKeys = ["name"] };
        mergeItemFields["nonMergingList"] = FieldSchema.AtomicList(mergeItem);
        mergeItemFields["mergingIntList"] = FieldSchema.SetList();
        mergeItemFields["nonMergingIntList"] = FieldSchema.AtomicList();
        mergeItemFields["mergeItemPtr"] = new FieldSchema { Properties = mergeItemFields, ItemSchema = mergeItem, PatchMergeKey = "name", PatchStrategy = "merge" };
        mergeItemFields["replacingItem"] = new FieldSchema { PatchStrategy = "replace" };
        mergeItemFields["retainKeysMap"] = retainKeysItem.WithPatchStrategy("retainKeys");
        mergeItemFields["retainKeysMergingList"] = new FieldSchema { ItemSchema = mergeItem, PatchMergeKey = "name", PatchStrategy = "merge,retainKeys", ListType = ListType.Map, ListMapKeys = ["name"] };
        return mergeItem;
    });
}
