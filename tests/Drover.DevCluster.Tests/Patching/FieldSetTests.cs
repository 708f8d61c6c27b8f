using System.Text.Json.Nodes;
using Drover.DevCluster.Patching;

namespace Drover.DevCluster.Tests.Patching;

public class FieldSetTests
{
    [Fact]
    public void FieldsV1_round_trips_every_path_element_kind()
    {
        const string FieldsV1 = """
            {"f:metadata":{"f:finalizers":{".":{},"v:\"a\"":{},"v:\"b\"":{}},"f:ownerReferences":{"k:{\"uid\":\"123\"}":{}}},
             "f:spec":{"f:ports":{"k:{\"port\":80,\"protocol\":\"TCP\"}":{".":{},"f:port":{}},"k:{\"port\":443,\"protocol\":\"TCP\"}":{}},"f:x":{"i:0":{}}}}
            """;

        var set = FieldSet.FromFieldsV1(JsonNode.Parse(FieldsV1)!.AsObject());

        Assert.Equal(JsonNode.Parse(FieldsV1)!.ToJsonString(), set.ToFieldsV1().ToJsonString());
        Assert.Contains(set.Paths, p => p.ToString() == ".spec.ports[port=80,protocol=\"TCP\"].port");
        Assert.Contains(set.Paths, p => p.ToString() == ".metadata.finalizers[=\"a\"]");
        Assert.Contains(set.Paths, p => p.ToString() == ".spec.x[0]");
    }

    [Fact]
    public void Members_are_ordered_fields_then_keys_then_values_with_numbers_by_value()
    {
        var set = new FieldSet([
            FieldPath.Of("b"),
            FieldPath.Of("a"),
            new FieldPath([PathElement.Field("l"), PathElement.ListKey([new("port", JsonValue.Create(443))])]),
            new FieldPath([PathElement.Field("l"), PathElement.ListKey([new("port", JsonValue.Create(80))])]),
        ]);

        Assert.Equal(JsonNode.Parse("""{"f:a":{},"f:b":{},"f:l":{"k:{\"port\":80}":{},"k:{\"port\":443}":{}}}""")!.ToJsonString(), set.ToFieldsV1().ToJsonString());
    }

    [Fact]
    public void Key_values_are_encoded_like_go_json()
    {
        var element = PathElement.ListKey([new("name", JsonValue.Create("a<b>&c")), new("containerPort", JsonValue.Create(8080))]);

        Assert.Equal("k:{\"containerPort\":8080,\"name\":\"a\\u003cb\\u003e\\u0026c\"}", element.Encoded);
    }
}
