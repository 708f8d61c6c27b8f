using System.Text.Json.Nodes;
using Drover.DevCluster.Patching;

namespace Drover.DevCluster.Tests.Patching;

public class ServerSideApplyTests
{
    private static readonly FieldSchema Deployment = BuiltinSchemas.For("apps", "v1", "Deployment");
    private static readonly DateTimeOffset T0 = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly DateTimeOffset T1 = T0.AddMinutes(5);

    private const string WebDeployment = """
        {"apiVersion":"apps/v1","kind":"Deployment",
         "metadata":{"name":"web","namespace":"default","labels":{"app":"web"}},
         "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
           "template":{"metadata":{"labels":{"app":"web"}},
             "spec":{"containers":[{"name":"app","image":"nginx:1.27","ports":[{"containerPort":80}],
               "env":[{"name":"MODE","value":"prod"}]}]}}}}
        """;

    [Fact]
    public void Create_records_an_apply_entry_shaped_like_the_real_servers()
    {
        var result = Apply(null, WebDeployment, "kubectl");

        var entries = result["metadata"]!["managedFields"]!.AsArray();
        var entry = Assert.Single(entries)!;
        Assert.Equal("kubectl", entry["manager"]!.GetValue<string>());
        Assert.Equal("Apply", entry["operation"]!.GetValue<string>());
        Assert.Equal("apps/v1", entry["apiVersion"]!.GetValue<string>());
        Assert.Equal("2025-01-02T03:04:05Z", entry["time"]!.GetValue<string>());
        Assert.Equal("FieldsV1", entry["fieldsType"]!.GetValue<string>());
        Assert.Null(entry["subresource"]);
        // As a real API server records `kubectl apply --server-side` of this manifest: the selector is atomic,
        // the port key carries the defaulted protocol, list items own themselves (".") and identity fields are absent.
        const string Expected = """
            {"f:metadata":{"f:labels":{"f:app":{}}},
             "f:spec":{"f:replicas":{},"f:selector":{},
               "f:template":{"f:metadata":{"f:labels":{"f:app":{}}},
                 "f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},
                   "f:env":{"k:{\"name\":\"MODE\"}":{".":{},"f:name":{},"f:value":{}}},
                   "f:image":{},"f:name":{},
                   "f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}}
            """;
        Assert.Equal(JsonNode.Parse(Expected)!.ToJsonString(), entry["fieldsV1"]!.ToJsonString());
        Assert.Equal("nginx:1.27", result["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
    }

    [Fact]
    public void Reapplying_the_same_configuration_changes_nothing_not_even_the_time()
    {
        var live = Apply(null, WebDeployment, "kubectl");

        var again = ServerSideApply.Apply(live, Obj(WebDeployment), "kubectl", force: false, Deployment, "apps/v1", T1);

        Assert.Empty(again.Conflicts);
        Assert.Equal(live.ToJsonString(), again.Object!.ToJsonString());
    }

    [Fact]
    public void A_changed_apply_moves_the_managers_time()
    {
        var live = Apply(null, WebDeployment, "kubectl");

        var changed = Apply(live, WebDeployment.Replace("\"replicas\":2", "\"replicas\":4", StringComparison.Ordinal), "kubectl", T1);

        Assert.Equal(4, changed["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("2025-01-02T03:09:05Z", changed["metadata"]!["managedFields"]![0]!["time"]!.GetValue<string>());
    }

    [Fact]
    public void Fields_a_manager_stops_applying_are_removed()
    {
        var live = Apply(null, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"a":"1","b":"2"}},"data":{"x":"1","y":"2"}}""", "helm", schema: ConfigMap);

        var result = Apply(live, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"a":"1"}},"data":{"x":"1"}}""", "helm", schema: ConfigMap);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"a":"1"}"""), result["metadata"]!["labels"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"x":"1"}"""), result["data"]));
        Assert.Equal("c", result["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void List_map_items_a_manager_stops_applying_are_removed_and_others_stay()
    {
        var live = Apply(null, WebDeployment.Replace("""{"name":"MODE","value":"prod"}""", """{"name":"MODE","value":"prod"},{"name":"DEBUG","value":"1"}""", StringComparison.Ordinal), "kubectl");

        var result = Apply(live, WebDeployment, "kubectl");

        var env = result["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"name":"MODE","value":"prod"}]"""), env), env.ToJsonString());
    }

    [Fact]
    public void A_removed_container_goes_but_one_another_manager_added_stays()
    {
        var twoContainers = WebDeployment.Replace("""}]}}}}""", """},{"name":"sidecar","image":"proxy:1"}]}}}}""", StringComparison.Ordinal);
        var live = Apply(null, twoContainers, "kubectl");
        var withInjected = Apply(live, """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},
             "spec":{"template":{"spec":{"containers":[{"name":"injected","image":"mesh:1"}]}}}}
            """, "mesh-injector");

        var result = Apply(withInjected, WebDeployment, "kubectl");

        var names = result["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["app", "injected"], names);
    }

    [Fact]
    public void Applying_the_same_value_shares_ownership_and_keeps_the_field_when_one_manager_lets_go()
    {
        var live = Apply(null, WebDeployment, "kubectl");
        var shared = Apply(live, """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},"spec":{"replicas":2}}""", "autoscaler");

        Assert.True(Owns(shared, "autoscaler", ".spec.replicas"));
        Assert.True(Owns(shared, "kubectl", ".spec.replicas"));

        var withoutReplicas = Obj(WebDeployment);
        withoutReplicas["spec"]!.AsObject().Remove("replicas");
        var result = ServerSideApply.Apply(shared, withoutReplicas, "kubectl", force: false, Deployment, "apps/v1", T1);

        Assert.Empty(result.Conflicts);
        Assert.Equal(2, result.Object!["spec"]!["replicas"]!.GetValue<int>());
        Assert.False(Owns(result.Object, "kubectl", ".spec.replicas"));
    }

    [Fact]
    public void Two_appliers_with_different_values_conflict()
    {
        var live = Apply(null, WebDeployment, "kubectl");

        var result = ServerSideApply.Apply(live, Obj("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},"spec":{"replicas":5}}"""), "helm", force: false, Deployment, "apps/v1", T1);

        Assert.Null(result.Object);
        var conflict = Assert.Single(result.Conflicts);
        Assert.Equal(new ApplyConflict("kubectl", ".spec.replicas", "conflict with \"kubectl\""), conflict);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas", ServerSideApply.FormatConflictMessage(result.Conflicts));
    }

    [Fact]
    public void Force_takes_ownership_from_the_other_manager()
    {
        var live = Apply(null, WebDeployment, "kubectl");

        var result = ServerSideApply.Apply(live, Obj("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},"spec":{"replicas":5}}"""), "helm", force: true, Deployment, "apps/v1", T1);

        Assert.Empty(result.Conflicts);
        Assert.Equal(5, result.Object!["spec"]!["replicas"]!.GetValue<int>());
        Assert.True(Owns(result.Object, "helm", ".spec.replicas"));
        Assert.False(Owns(result.Object, "kubectl", ".spec.replicas"));
        Assert.True(Owns(result.Object, "kubectl", ".spec.template.spec.containers[name=\"app\"].image"));
    }

    [Fact]
    public void An_update_manager_owns_what_it_changed_and_an_applier_then_conflicts_with_it()
    {
        var live = Apply(null, WebDeployment, "kubectl");
        var scaled = (JsonObject)live.DeepClone();
        scaled["spec"]!["replicas"] = 7;

        ManagedFields.RecordUpdate(live, scaled, "kubectl-scale", "apps/v1", T1);

        Assert.True(Owns(scaled, "kubectl-scale", ".spec.replicas", "Update"));
        Assert.False(Owns(scaled, "kubectl", ".spec.replicas"));
        var result = ServerSideApply.Apply(scaled, Obj(WebDeployment), "kubectl", force: false, Deployment, "apps/v1", T1);
        var conflict = Assert.Single(result.Conflicts);
        Assert.Equal("conflict with \"kubectl-scale\" using apps/v1", conflict.Message);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl-scale\" using apps/v1: .spec.replicas", ServerSideApply.FormatConflictMessage(result.Conflicts));
    }

    [Fact]
    public void Several_conflicts_are_grouped_by_manager_in_the_message()
    {
        var live = Apply(null, WebDeployment, "kubectl");
        var changed = WebDeployment.Replace("\"replicas\":2", "\"replicas\":3", StringComparison.Ordinal).Replace("nginx:1.27", "nginx:1.28", StringComparison.Ordinal);

        var result = ServerSideApply.Apply(live, Obj(changed), "helm", force: false, Deployment, "apps/v1", T1);

        Assert.Equal(2, result.Conflicts.Count);
        Assert.Equal(
            "Apply failed with 2 conflicts: conflicts with \"kubectl\":\n- .spec.replicas\n- .spec.template.spec.containers[name=\"app\"].image",
            ServerSideApply.FormatConflictMessage(result.Conflicts));
    }

    [Fact]
    public void Atomic_lists_are_replaced_whole()
    {
        var live = Apply(null, WebDeployment.Replace("\"image\":\"nginx:1.27\"", "\"image\":\"nginx:1.27\",\"args\":[\"a\",\"b\"]", StringComparison.Ordinal), "kubectl");

        var result = Apply(live, WebDeployment.Replace("\"image\":\"nginx:1.27\"", "\"image\":\"nginx:1.27\",\"args\":[\"c\"]", StringComparison.Ordinal), "kubectl");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""["c"]"""), result["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]));
        Assert.True(Owns(result, "kubectl", ".spec.template.spec.containers[name=\"app\"].args"));
    }

    [Fact]
    public void Crd_lists_without_markers_are_atomic_and_map_lists_merge_by_key()
    {
        var schema = FieldSchema.FromOpenApi(JsonNode.Parse("""
            {"type":"object","properties":{"spec":{"type":"object","properties":{
              "models":{"type":"array","items":{"type":"string"}}}},
             "status":{"type":"object","properties":{"conditions":{"type":"array","x-kubernetes-list-type":"map",
               "x-kubernetes-list-map-keys":["type"],"items":{"type":"object"}}}}}}
            """)!.AsObject());
        var live = Apply(null, """{"apiVersion":"drover.dev/v1alpha1","kind":"Agent","metadata":{"name":"a"},"spec":{"models":["x","y"]}}""", "kubectl", schema: schema, apiVersion: "drover.dev/v1alpha1");
        var result = Apply(live, """{"apiVersion":"drover.dev/v1alpha1","kind":"Agent","metadata":{"name":"a"},"spec":{"models":["z"]}}""", "kubectl", schema: schema, apiVersion: "drover.dev/v1alpha1");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""["z"]"""), result["spec"]!["models"]));

        var ready = Apply(result, """{"apiVersion":"drover.dev/v1alpha1","kind":"Agent","metadata":{"name":"a"},"status":{"conditions":[{"type":"Ready","status":"True"}]}}""", "drover", schema: schema, apiVersion: "drover.dev/v1alpha1", subresource: "status");
        var both = Apply(ready, """{"apiVersion":"drover.dev/v1alpha1","kind":"Agent","metadata":{"name":"a"},"status":{"conditions":[{"type":"ModelResolved","status":"True"}]}}""", "other", schema: schema, apiVersion: "drover.dev/v1alpha1", subresource: "status");
        Assert.Equal(["Ready", "ModelResolved"], both["status"]!["conditions"]!.AsArray().Select(c => c!["type"]!.GetValue<string>()));
    }

    [Fact]
    public void Status_subresource_applies_only_status_and_records_the_subresource()
    {
        var live = Apply(null, WebDeployment, "kubectl");

        var result = Apply(live, """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},
             "spec":{"replicas":99},"status":{"readyReplicas":2,"conditions":[{"type":"Available","status":"True"}]}}
            """, "deployment-controller", subresource: "status");

        Assert.Equal(2, result["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(2, result["status"]!["readyReplicas"]!.GetValue<int>());
        var entry = result["metadata"]!["managedFields"]!.AsArray().Single(e => e!["manager"]!.GetValue<string>() == "deployment-controller")!;
        Assert.Equal("status", entry["subresource"]!.GetValue<string>());
        Assert.Equal(
            JsonNode.Parse("""{"f:status":{"f:conditions":{"k:{\"type\":\"Available\"}":{".":{},"f:status":{},"f:type":{}}},"f:readyReplicas":{}}}""")!.ToJsonString(),
            entry["fieldsV1"]!.ToJsonString());
    }

    [Fact]
    public void Status_updates_record_an_update_entry_with_the_subresource()
    {
        var live = Apply(null, WebDeployment, "kubectl");
        var after = (JsonObject)live.DeepClone();
        after["status"] = new JsonObject { ["replicas"] = 2 };

        ManagedFields.RecordUpdate(live, after, "kube-controller-manager", "apps/v1", T1, "status");

        var entry = after["metadata"]!["managedFields"]!.AsArray().Single(e => e!["operation"]!.GetValue<string>() == "Update")!;
        Assert.Equal("kube-controller-manager", entry["manager"]!.GetValue<string>());
        Assert.Equal("status", entry["subresource"]!.GetValue<string>());
        Assert.Equal("""{"f:status":{".":{},"f:replicas":{}}}""", entry["fieldsV1"]!.ToJsonString());
    }

    [Fact]
    public void An_update_that_changes_nothing_leaves_managed_fields_untouched()
    {
        var live = Apply(null, WebDeployment, "kubectl");
        var after = (JsonObject)live.DeepClone();

        ManagedFields.RecordUpdate(live, after, "kubectl-edit", "apps/v1", T1);

        Assert.Equal(live.ToJsonString(), after.ToJsonString());
    }

    [Fact]
    public void Create_by_update_owns_every_field_but_identity()
    {
        var created = Obj("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"d","uid":"u","labels":{"a":"1"}},"data":{"k":"v"}}""");

        ManagedFields.RecordUpdate(null, created, "kubectl-create", "v1", T0);

        var entry = Assert.Single(created["metadata"]!["managedFields"]!.AsArray())!;
        Assert.Equal("Update", entry["operation"]!.GetValue<string>());
        Assert.Equal("""{"f:data":{".":{},"f:k":{}},"f:metadata":{"f:labels":{".":{},"f:a":{}}}}""", entry["fieldsV1"]!.ToJsonString());
    }

    [Fact]
    public void An_apply_body_with_managed_fields_is_400()
    {
        var body = Obj("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","managedFields":[{"manager":"x"}]}}""");

        var error = Assert.Throws<PatchException>(() => ServerSideApply.Apply(null, body, "kubectl", false, ConfigMap, "v1", T0));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal("metadata.managedFields must be nil", error.Message);
    }

    [Fact]
    public void Managed_fields_entries_are_ordered_apply_first_then_by_time()
    {
        var live = Apply(null, WebDeployment, "kubectl");
        var scaled = (JsonObject)live.DeepClone();
        scaled["spec"]!["replicas"] = 3;
        ManagedFields.RecordUpdate(live, scaled, "kubectl-scale", "apps/v1", T1);

        var labelled = Apply(scaled, """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default","labels":{"team":"x"}}}""", "argocd", T1.AddMinutes(1));

        var managers = labelled["metadata"]!["managedFields"]!.AsArray().Select(e => e!["manager"]!.GetValue<string>() + "/" + e["operation"]!.GetValue<string>());
        Assert.Equal(["kubectl/Apply", "argocd/Apply", "kubectl-scale/Update"], managers);
    }

    [Fact]
    public void A_dropped_item_that_another_manager_partly_owns_keeps_its_key()
    {
        var twoContainers = WebDeployment.Replace("""}]}}}}""", """},{"name":"sidecar","image":"proxy:1"}]}}}}""", StringComparison.Ordinal);
        var live = Apply(null, twoContainers, "kubectl");
        var bumped = (JsonObject)live.DeepClone();
        bumped["spec"]!["template"]!["spec"]!["containers"]![1]!["image"] = "proxy:2";
        ManagedFields.RecordUpdate(live, bumped, "image-updater", "apps/v1", T1);

        var result = Apply(bumped, WebDeployment, "kubectl", T1);

        var sidecar = result["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "sidecar")!;
        Assert.Equal("proxy:2", sidecar["image"]!.GetValue<string>());
    }

    [Fact]
    public void Schemaless_crd_fields_are_owned_as_map_entries()
    {
        var schema = FieldSchema.FromOpenApi(JsonNode.Parse("""
            {"type":"object","properties":{"spec":{"type":"object","properties":{
              "config":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}
            """)!.AsObject());

        var result = Apply(null, """{"apiVersion":"drover.dev/v1alpha1","kind":"Agent","metadata":{"name":"a"},"spec":{"config":{"tools":{"shell":true},"level":3}}}""", "kubectl", schema: schema, apiVersion: "drover.dev/v1alpha1");

        Assert.Equal(
            JsonNode.Parse("""{"f:spec":{"f:config":{"f:level":{},"f:tools":{".":{},"f:shell":{}}}}}""")!.ToJsonString(),
            result["metadata"]!["managedFields"]![0]!["fieldsV1"]!.ToJsonString());
    }

    [Fact]
    public void Managed_fields_sent_with_an_update_replace_the_stored_ones()
    {
        // Helm's client-side to server-side apply migration: a JSON patch rewrites managedFields and nothing else.
        var live = Obj("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"v"}}""");
        ManagedFields.RecordUpdate(null, live, "kubectl-client-side-apply", "v1", T0);
        var patched = (JsonObject)JsonPatch.Apply(live, JsonNode.Parse("""[{"op":"replace","path":"/metadata/managedFields/0/manager","value":"helm"},{"op":"replace","path":"/metadata/managedFields/0/operation","value":"Apply"}]""")!);
        var expected = patched.ToJsonString();

        ManagedFields.RecordUpdate(live, patched, "helm", "v1", T1);

        Assert.Equal(expected, patched.ToJsonString());
        var result = ServerSideApply.Apply(patched, Obj("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"w"}}"""), "helm", force: false, ConfigMap, "v1", T1);
        Assert.Empty(result.Conflicts);
    }

    private static readonly FieldSchema ConfigMap = BuiltinSchemas.For("", "v1", "ConfigMap");

    private static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    private static JsonObject Apply(JsonObject? live, string body, string manager, DateTimeOffset? now = null, FieldSchema? schema = null, string apiVersion = "apps/v1", string? subresource = null)
    {
        var result = ServerSideApply.Apply(live, Obj(body), manager, force: false, schema ?? Deployment, apiVersion, now ?? T0, subresource);
        Assert.Empty(result.Conflicts);
        return result.Object!;
    }

    private static bool Owns(JsonObject obj, string manager, string path, string operation = "Apply")
    {
        var entry = obj["metadata"]!["managedFields"]!.AsArray()
            .FirstOrDefault(e => e!["manager"]!.GetValue<string>() == manager && e["operation"]!.GetValue<string>() == operation);
        return entry is not null && FieldSet.FromFieldsV1(entry["fieldsV1"]!.AsObject()).Paths.Any(p => p.ToString() == path);
    }
}
