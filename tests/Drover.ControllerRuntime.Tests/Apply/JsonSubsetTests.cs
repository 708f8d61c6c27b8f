using System.Text.Json.Nodes;
using Drover.ControllerRuntime.Apply;

namespace Drover.ControllerRuntime.Tests.Apply;

public class JsonSubsetTests
{
    [Fact]
    public void Server_defaults_and_server_set_fields_in_the_live_object_do_not_count_as_drift()
    {
        var desired = Parse("""{"metadata":{"name":"a","labels":{"app":"x"}},"spec":{"ports":[{"port":80}]}}""");
        var live = Parse("""
            {"metadata":{"name":"a","uid":"u1","resourceVersion":"7","labels":{"app":"x","extra":"y"},"managedFields":[{}]},
             "spec":{"ports":[{"port":80,"protocol":"TCP"}],"sessionAffinity":"None"},"status":{}}
            """);

        Assert.True(JsonSubset.IsSubsetOf(desired, live));
    }

    [Theory]
    [InlineData("""{"data":{"k":"v2"}}""")]
    [InlineData("""{"data":{"other":"v"}}""")]
    [InlineData("""{"spec":{"ports":[{"port":80},{"port":81}]}}""")]
    [InlineData("""{"spec":{"ports":[{"port":8080}]}}""")]
    [InlineData("""{"spec":{"replicas":2}}""")]
    [InlineData("""{"spec":{"paused":true}}""")]
    public void A_changed_missing_or_extra_desired_value_is_drift(string desired)
    {
        var live = Parse("""{"data":{"k":"v"},"spec":{"ports":[{"port":80}],"replicas":1}}""");
        Assert.False(JsonSubset.IsSubsetOf(Parse(desired), live));
    }

    [Fact]
    public void Numbers_compare_by_value_and_empty_maps_or_lists_match_absent_fields()
    {
        Assert.True(JsonSubset.IsSubsetOf(Parse("""{"a":1.0,"b":{},"c":[],"d":{"e":{}}}"""), Parse("""{"a":1}""")));
        Assert.False(JsonSubset.IsSubsetOf(Parse("""{"a":"1"}"""), Parse("""{"a":1}""")));
    }

    [Fact]
    public void A_merge_patch_sets_changed_fields_and_nulls_removed_ones()
    {
        var from = Parse("""{"a":1,"b":{"c":1,"d":2},"gone":"x","list":[1,2]}""");
        var to = Parse("""{"a":1,"b":{"c":3,"d":2},"list":[1],"new":true}""");
        var patch = JsonMergePatch.Create(from, to)!;
        Assert.Equal("""{"gone":null,"b":{"c":3},"list":[1],"new":true}""", patch.ToJsonString());
    }

    private static JsonNode Parse(string json) => JsonNode.Parse(json)!;
}
