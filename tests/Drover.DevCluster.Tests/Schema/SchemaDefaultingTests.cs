using Drover.DevCluster.Schema;

namespace Drover.DevCluster.Tests.Schema;

public class SchemaDefaultingTests
{
    private static readonly StructuralSchema Schema = StructuralSchema.Parse(JsonText.Object("""
        {
          "type": "object",
          "properties": {
            "spec": {
              "type": "object",
              "properties": {
                "replicas": {"type": "integer", "default": 1},
                "mode": {"type": "string", "default": "Restricted"},
                "note": {"type": "string"},
                "maybe": {"type": "string", "nullable": true, "default": "filled"},
                "health": {
                  "type": "object",
                  "properties": {"path": {"type": "string", "default": "/healthz"}, "port": {"type": "integer"}}
                },
                "network": {
                  "type": "object",
                  "default": {},
                  "properties": {"egress": {"type": "string", "default": "Restricted"}}
                },
                "allow": {
                  "type": "array",
                  "items": {"type": "object", "properties": {"cidr": {"type": "string"}, "protocol": {"type": "string", "default": "TCP"}}}
                }
              }
            }
          }
        }
        """));

    [Fact]
    public void Absent_properties_get_their_defaults()
    {
        var obj = JsonText.Widget("{}");
        Schema.ApplyDefaults(obj);

        Assert.Equal(1, (int)obj["spec"]!["replicas"]!);
        Assert.Equal("Restricted", (string?)obj["spec"]!["mode"]);
    }

    [Fact]
    public void Present_values_are_kept()
    {
        var obj = JsonText.Widget("""{"replicas":0,"mode":"Unrestricted"}""");
        Schema.ApplyDefaults(obj);

        Assert.Equal(0, (int)obj["spec"]!["replicas"]!);
        Assert.Equal("Unrestricted", (string?)obj["spec"]!["mode"]);
    }

    [Fact]
    public void Nested_defaults_apply_only_when_the_parent_exists()
    {
        var absent = JsonText.Widget("{}");
        Schema.ApplyDefaults(absent);
        Assert.Null(absent["spec"]!["health"]);

        var present = JsonText.Widget("""{"health":{"port":8080}}""");
        Schema.ApplyDefaults(present);
        Assert.Equal("""{"port":8080,"path":"/healthz"}""", present["spec"]!["health"]!.ToJsonString());
    }

    [Fact]
    public void An_empty_object_default_on_the_parent_lets_nested_defaults_apply()
    {
        var obj = JsonText.Widget("{}");
        Schema.ApplyDefaults(obj);
        Assert.Equal("""{"egress":"Restricted"}""", obj["spec"]!["network"]!.ToJsonString());
    }

    [Fact]
    public void Defaults_apply_inside_array_items()
    {
        var obj = JsonText.Widget("""{"allow":[{"cidr":"10.0.0.0/8"},{"cidr":"192.168.0.0/16","protocol":"UDP"}]}""");
        Schema.ApplyDefaults(obj);
        Assert.Equal(
            """[{"cidr":"10.0.0.0/8","protocol":"TCP"},{"cidr":"192.168.0.0/16","protocol":"UDP"}]""",
            obj["spec"]!["allow"]!.ToJsonString());
    }

    [Fact]
    public void Non_nullable_nulls_are_defaulted_or_removed()
    {
        var obj = JsonText.Widget("""{"replicas":null,"note":null,"maybe":null}""");
        Schema.ApplyDefaults(obj);

        var spec = obj["spec"]!.AsObject();
        Assert.Equal(1, (int)spec["replicas"]!);
        Assert.False(spec.ContainsKey("note"));
        Assert.True(spec.ContainsKey("maybe"));
        Assert.Null(spec["maybe"]);
    }

    [Fact]
    public void Defaults_are_copies_not_shared_nodes()
    {
        var first = JsonText.Widget("{}");
        var second = JsonText.Widget("{}");
        Schema.ApplyDefaults(first);
        Schema.ApplyDefaults(second);

        first["spec"]!["network"]!["egress"] = "Unrestricted";
        Assert.Equal("Restricted", (string?)second["spec"]!["network"]!["egress"]);
    }

    [Fact]
    public void Defaulting_is_idempotent()
    {
        var obj = JsonText.Widget("""{"health":{}}""");
        Schema.ApplyDefaults(obj);
        var once = obj.ToJsonString();
        Schema.ApplyDefaults(obj);
        Assert.Equal(once, obj.ToJsonString());
    }
}
