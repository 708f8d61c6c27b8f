using System.Text.Json.Nodes;
using Drover.DevCluster.Patching;

namespace Drover.DevCluster.Tests.Patching;

/// <summary>RFC 7386 Appendix A.</summary>
public class MergePatchTests
{
    [Theory]
    [InlineData("""{"a":"b"}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"b":"c"}""", """{"a":"b","b":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"a":null}""", """{}""")]
    [InlineData("""{"a":"b","b":"c"}""", """{"a":null}""", """{"b":"c"}""")]
    [InlineData("""{"a":["b"]}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"c"}""", """{"a":["b"]}""", """{"a":["b"]}""")]
    [InlineData("""{"a":{"b":"c"}}""", """{"a":{"b":"d","c":null}}""", """{"a":{"b":"d"}}""")]
    [InlineData("""{"a":[{"b":"c"}]}""", """{"a":[1]}""", """{"a":[1]}""")]
    [InlineData("""["a","b"]""", """["c","d"]""", """["c","d"]""")]
    [InlineData("""{"a":"b"}""", """["c"]""", """["c"]""")]
    [InlineData("""{"a":"foo"}""", """ "bar" """, """ "bar" """)]
    [InlineData("""{"e":null}""", """{"a":1}""", """{"e":null,"a":1}""")]
    [InlineData("""[1,2]""", """{"a":"b","c":null}""", """{"a":"b"}""")]
    [InlineData("""{}""", """{"a":{"bb":{"ccc":null}}}""", """{"a":{"bb":{}}}""")]
    public void Rfc7386_examples_produce_the_documented_result(string target, string patch, string expected)
    {
        var result = MergePatch.Apply(JsonNode.Parse(target), JsonNode.Parse(patch));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), result), $"got {result?.ToJsonString()}");
    }

    [Fact]
    public void A_null_patch_yields_null()
    {
        Assert.Null(MergePatch.Apply(JsonNode.Parse("""{"a":"foo"}"""), null));
    }

    [Fact]
    public void Kubectl_scale_patch_sets_replicas_and_keeps_the_rest()
    {
        var target = JsonNode.Parse("""{"spec":{"replicas":1,"template":{"spec":{"containers":[{"name":"a"}]}}}}""");

        var result = MergePatch.Apply(target, JsonNode.Parse("""{"spec":{"replicas":3}}"""))!;

        Assert.Equal(3, result["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("a", result["spec"]!["template"]!["spec"]!["containers"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(1, target!["spec"]!["replicas"]!.GetValue<int>());
    }
}
