using System.Text.Json.Nodes;
using Drover.DevCluster.Patching;

namespace Drover.DevCluster.Tests.Patching;

public class FieldSchemaTests
{
    [Fact]
    public void Crd_markers_become_list_and_map_types()
    {
        var schema = FieldSchema.FromOpenApi(JsonNode.Parse("""
            {"type":"object","properties":{
              "spec":{"type":"object","properties":{
                "tags":{"type":"array","items":{"type":"string"}},
                "names":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},
                "headers":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
                  "items":{"type":"object","properties":{"name":{"type":"string"},"value":{"type":"string"}}}},
                "selector":{"type":"object","x-kubernetes-map-type":"atomic","additionalProperties":{"type":"string"}},
                "config":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}},
              "status":{"type":"object","properties":{"conditions":{"type":"array","x-kubernetes-list-type":"map",
                "x-kubernetes-list-map-keys":["type"],"items":{"type":"object"}}}}}}
            """)!.AsObject());

        var spec = schema.Child("spec");
        Assert.Equal(ListType.Atomic, spec.Child("tags").ListType);
        Assert.Equal(ListType.Set, spec.Child("names").ListType);
        Assert.Equal(ListType.Map, spec.Child("headers").ListType);
        Assert.Equal(["name"], spec.Child("headers").ListMapKeys);
        Assert.True(spec.Child("selector").IsAtomicMap);
        Assert.True(spec.Child("config").IsMapEntry("anything"));
        Assert.False(spec.IsMapEntry("tags"));
        Assert.Equal(["type"], schema.Child("status").Child("conditions").ListMapKeys);
    }

    [Fact]
    public void Crd_metadata_is_object_meta_whatever_the_crd_says()
    {
        var schema = FieldSchema.FromOpenApi(JsonNode.Parse("""{"type":"object","properties":{"metadata":{"type":"object"}}}""")!.AsObject());

        Assert.Equal(ListType.Set, schema.Child("metadata").Child("finalizers").ListType);
        Assert.Equal(["uid"], schema.Child("metadata").Child("ownerReferences").ListMapKeys);
        Assert.True(schema.Child("metadata").Child("labels").IsMapEntry("app"));
    }

    [Fact]
    public void Undescribed_parts_are_granular_objects_and_atomic_lists()
    {
        var unknown = FieldSchema.Unknown.Child("anything").Child("deeper");

        Assert.Equal(ListType.Atomic, unknown.ListType);
        Assert.False(unknown.IsAtomicMap);
        Assert.Equal(ListType.Atomic, unknown.Items.ListType);
        Assert.Same(FieldSchema.Unknown, BuiltinSchemas.For("example.com", "v1", "Widget"));
    }

    [Theory]
    [InlineData("apps", "Deployment", "spec.template.spec")]
    [InlineData("apps", "StatefulSet", "spec.template.spec")]
    [InlineData("batch", "Job", "spec.template.spec")]
    [InlineData("batch", "CronJob", "spec.jobTemplate.spec.template.spec")]
    [InlineData("", "Pod", "spec")]
    public void Pod_specs_key_containers_env_ports_mounts_and_volumes(string group, string kind, string podSpecPath)
    {
        var podSpec = podSpecPath.Split('.').Aggregate(BuiltinSchemas.For(group, "v1", kind), (s, name) => s.Child(name));

        var containers = podSpec.Child("containers");
        Assert.Equal(ListType.Map, containers.ListType);
        Assert.Equal(["name"], containers.ListMapKeys);
        Assert.Equal(["name"], podSpec.Child("initContainers").ListMapKeys);
        Assert.Equal(["name"], podSpec.Child("ephemeralContainers").ListMapKeys);
        Assert.Equal(["name"], containers.Items.Child("env").ListMapKeys);
        Assert.Equal(["containerPort", "protocol"], containers.Items.Child("ports").ListMapKeys);
        Assert.Equal("containerPort", containers.Items.Child("ports").PatchMergeKey);
        Assert.Equal(["mountPath"], containers.Items.Child("volumeMounts").ListMapKeys);
        Assert.Equal(["name"], podSpec.Child("volumes").ListMapKeys);
        Assert.Equal(["name"], podSpec.Child("imagePullSecrets").ListMapKeys);
        Assert.Equal(ListType.Atomic, podSpec.Child("tolerations").ListType);
        Assert.Equal(ListType.Atomic, containers.Items.Child("args").ListType);
        Assert.Equal(ListType.Atomic, containers.Items.Child("command").ListType);
        Assert.Equal(ListType.Atomic, containers.Items.Child("envFrom").ListType);
    }

    [Fact]
    public void Other_builtin_kinds_carry_their_keys()
    {
        var service = BuiltinSchemas.For("", "v1", "Service").Child("spec").Child("ports");
        Assert.Equal(["port", "protocol"], service.ListMapKeys);
        Assert.Equal("port", service.PatchMergeKey);

        var meta = BuiltinSchemas.For("apps", "v1", "Deployment").Child("metadata");
        Assert.Equal(["uid"], meta.Child("ownerReferences").ListMapKeys);
        Assert.Equal(ListType.Set, meta.Child("finalizers").ListType);
        Assert.Equal(["type"], BuiltinSchemas.For("apps", "v1", "Deployment").Child("status").Child("conditions").ListMapKeys);

        var policy = BuiltinSchemas.For("networking.k8s.io", "v1", "NetworkPolicy").Child("spec");
        Assert.Equal(ListType.Atomic, policy.Child("ingress").ListType);
        Assert.Equal(ListType.Atomic, policy.Child("egress").ListType);
        Assert.Equal(ListType.Atomic, BuiltinSchemas.For("rbac.authorization.k8s.io", "v1", "ClusterRole").Child("rules").ListType);
        Assert.True(BuiltinSchemas.For("", "v1", "Secret").Child("data").IsMapEntry("password"));
        Assert.True(BuiltinSchemas.For("", "v1", "ConfigMap").Child("data").IsMapEntry("key"));
        Assert.False(BuiltinSchemas.For("", "v1", "ConfigMap").Child("data").IsAtomicMap);
    }
}
