using System.Text.Json.Nodes;
using Drover.DevCluster.Schema;

namespace Drover.DevCluster.Tests.Schema;

public class SchemaPruningTests
{
    private static readonly StructuralSchema Schema = StructuralSchema.Parse(JsonText.Object("""
        {
          "type": "object",
          "properties": {
            "spec": {
              "type": "object",
              "properties": {
                "image": {"type": "string"},
                "resources": {"type": "object", "properties": {"cpu": {"type": "string"}}},
                "env": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "value": {"type": "string"}}}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "config": {
                  "type": "object",
                  "x-kubernetes-preserve-unknown-fields": true,
                  "properties": {"strict": {"type": "object", "properties": {"kept": {"type": "string"}}}}
                },
                "template": {"type": "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true}
              }
            },
            "status": {"type": "object", "properties": {"phase": {"type": "string"}}}
          }
        }
        """));

    [Fact]
    public void Unknown_fields_are_removed_at_every_depth_and_reported_in_document_order()
    {
        var obj = JsonText.Widget("""
            {"image":"busybox","colour":"red","resources":{"cpu":"100m","gpu":"1"},"extra":{"deep":true}}
            """);
        obj["surprise"] = 1;

        var removed = Schema.Prune(obj);

        Assert.Equal(["spec.colour", "spec.resources.gpu", "spec.extra", "surprise"], removed);
        Assert.Equal("""{"image":"busybox","resources":{"cpu":"100m"}}""", obj["spec"]!.ToJsonString());
        Assert.Null(obj["surprise"]);
    }

    [Fact]
    public void ApiVersion_kind_and_metadata_survive_at_the_root()
    {
        var obj = JsonText.Widget("""{"image":"busybox"}""");
        var removed = Schema.Prune(obj);

        Assert.Empty(removed);
        Assert.Equal("example.com/v1", (string?)obj["apiVersion"]);
        Assert.Equal("Widget", (string?)obj["kind"]);
        Assert.Equal("w", (string?)obj["metadata"]!["name"]);
    }

    [Fact]
    public void Metadata_is_coerced_to_ObjectMeta_fields()
    {
        var obj = JsonText.Object("""
            {"apiVersion":"example.com/v1","kind":"Widget",
             "metadata":{"name":"w","namespace":"team-a","labels":{"app":"x"},"annotations":{"a":"b"},
                         "finalizers":["drover.dev/cleanup"],"generation":3,"resourceVersion":"42",
                         "uid":"0b7e5b8a-8d3c-4a55-9a3e-0f1c2d3e4f50","creationTimestamp":"2024-05-01T10:00:00Z",
                         "ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"c","uid":"u1","controller":true,"colour":"red"}],
                         "colour":"red","labelz":{"typo":"yes"}}}
            """);

        var removed = Schema.Prune(obj);

        Assert.Equal(["metadata.ownerReferences[0].colour", "metadata.colour", "metadata.labelz"], removed);
        var metadata = obj["metadata"]!.AsObject();
        Assert.Equal(
            ["name", "namespace", "labels", "annotations", "finalizers", "generation", "resourceVersion", "uid", "creationTimestamp", "ownerReferences"],
            metadata.Select(p => p.Key));
        Assert.Equal("""{"apiVersion":"v1","kind":"ConfigMap","name":"c","uid":"u1","controller":true}""", metadata["ownerReferences"]![0]!.ToJsonString());
    }

    [Fact]
    public void Metadata_values_that_cannot_decode_or_are_empty_disappear()
    {
        var obj = JsonText.Object("""
            {"apiVersion":"example.com/v1","kind":"Widget",
             "metadata":{"name":"w","labels":{"n":1},"generation":"three","creationTimestamp":null,"annotations":{},"generateName":""}}
            """);

        Schema.Prune(obj);

        Assert.Equal("""{"name":"w"}""", obj["metadata"]!.ToJsonString());
    }

    [Fact]
    public void Arrays_of_objects_are_pruned_item_by_item_with_indexed_paths()
    {
        var obj = JsonText.Widget("""{"env":[{"name":"A","value":"1"},{"name":"B","valueFrom":{"secretKeyRef":{}}}]}""");

        var removed = Schema.Prune(obj);

        Assert.Equal(["spec.env[1].valueFrom"], removed);
        Assert.Equal("""[{"name":"A","value":"1"},{"name":"B"}]""", obj["spec"]!["env"]!.ToJsonString());
    }

    [Fact]
    public void Additional_properties_keep_every_key()
    {
        var obj = JsonText.Widget("""{"labels":{"team":"a","tier":"gold"}}""");
        Assert.Empty(Schema.Prune(obj));
        Assert.Equal("""{"team":"a","tier":"gold"}""", obj["spec"]!["labels"]!.ToJsonString());
    }

    [Fact]
    public void Preserve_unknown_fields_keeps_an_island_but_declared_properties_inside_it_prune_again()
    {
        var obj = JsonText.Widget("""
            {"config":{"temperature":0.2,"tools":{"shell":{"allow":["ls"]}},"strict":{"kept":"yes","dropped":"no"}}}
            """);

        var removed = Schema.Prune(obj);

        Assert.Equal(["spec.config.strict.dropped"], removed);
        Assert.Equal("""{"temperature":0.2,"tools":{"shell":{"allow":["ls"]}},"strict":{"kept":"yes"}}""", obj["spec"]!["config"]!.ToJsonString());
    }

    [Fact]
    public void Embedded_resources_keep_their_content_and_get_their_metadata_coerced()
    {
        var obj = JsonText.Widget("""
            {"template":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","bogus":1},"data":{"k":"v"}}}
            """);

        var removed = Schema.Prune(obj);

        Assert.Equal(["spec.template.metadata.bogus"], removed);
        Assert.Equal("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"v"}}""", obj["spec"]!["template"]!.ToJsonString());
    }

    [Fact]
    public void A_root_that_preserves_unknown_fields_keeps_everything_undeclared()
    {
        var schema = StructuralSchema.Parse(JsonText.Object("""
            {"type":"object","x-kubernetes-preserve-unknown-fields":true,
             "properties":{"spec":{"type":"object","properties":{"a":{"type":"string"}}}}}
            """));
        var obj = JsonText.Widget("""{"a":"x","b":"y"}""");
        obj["anything"] = new JsonObject { ["goes"] = true };

        var removed = schema.Prune(obj);

        Assert.Equal(["spec.b"], removed);
        Assert.NotNull(obj["anything"]);
    }
}
