using System.Text.Json.Nodes;
using Drover.DevCluster.Patching;

namespace Drover.DevCluster.Tests.Patching;

/// <summary>RFC 6902 Appendix A, plus the error codes the API server uses.</summary>
public class JsonPatchTests
{
    [Theory]
    [InlineData("A.1 add object member", """{"foo":"bar"}""", """[{"op":"add","path":"/baz","value":"qux"}]""", """{"baz":"qux","foo":"bar"}""")]
    [InlineData("A.2 add array element", """{"foo":["bar","baz"]}""", """[{"op":"add","path":"/foo/1","value":"qux"}]""", """{"foo":["bar","qux","baz"]}""")]
    [InlineData("A.3 remove object member", """{"baz":"qux","foo":"bar"}""", """[{"op":"remove","path":"/baz"}]""", """{"foo":"bar"}""")]
    [InlineData("A.4 remove array element", """{"foo":["bar","qux","baz"]}""", """[{"op":"remove","path":"/foo/1"}]""", """{"foo":["bar","baz"]}""")]
    [InlineData("A.5 replace value", """{"baz":"qux","foo":"bar"}""", """[{"op":"replace","path":"/baz","value":"boo"}]""", """{"baz":"boo","foo":"bar"}""")]
    [InlineData("A.6 move value", """{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}""", """[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]""", """{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}""")]
    [InlineData("A.7 move array element", """{"foo":["all","grass","cows","eat"]}""", """[{"op":"move","from":"/foo/1","path":"/foo/3"}]""", """{"foo":["all","cows","eat","grass"]}""")]
    [InlineData("A.8 test success", """{"baz":"qux","foo":["a",2,"c"]}""", """[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]""", """{"baz":"qux","foo":["a",2,"c"]}""")]
    [InlineData("A.10 add nested member object", """{"foo":"bar"}""", """[{"op":"add","path":"/child","value":{"grandchild":{}}}]""", """{"foo":"bar","child":{"grandchild":{}}}""")]
    [InlineData("A.11 ignore unrecognized elements", """{"foo":"bar"}""", """[{"op":"add","path":"/baz","value":"qux","xyz":123}]""", """{"foo":"bar","baz":"qux"}""")]
    [InlineData("A.14 ~ escape ordering", """{"/":9,"~1":10}""", """[{"op":"test","path":"/~01","value":10}]""", """{"/":9,"~1":10}""")]
    [InlineData("A.16 add array value", """{"foo":["bar"]}""", """[{"op":"add","path":"/foo/-","value":["abc","def"]}]""", """{"foo":["bar",["abc","def"]]}""")]
    [InlineData("copy", """{"a":{"b":1}}""", """[{"op":"copy","from":"/a","path":"/c"}]""", """{"a":{"b":1},"c":{"b":1}}""")]
    [InlineData("replace whole document", """{"a":1}""", """[{"op":"replace","path":"","value":{"b":2}}]""", """{"b":2}""")]
    [InlineData("escaped slash in key", """{"metadata":{"annotations":{"a/b":"x"}}}""", """[{"op":"remove","path":"/metadata/annotations/a~1b"}]""", """{"metadata":{"annotations":{}}}""")]
    [InlineData("test compares numbers by value", """{"a":1}""", """[{"op":"test","path":"/a","value":1.0}]""", """{"a":1}""")]
    public void Rfc6902_examples_produce_the_documented_result(string name, string document, string patch, string expected)
    {
        var result = JsonPatch.Apply(JsonNode.Parse(document)!, JsonNode.Parse(patch)!);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), result), $"{name}: got {result.ToJsonString()}");
    }

    [Theory]
    [InlineData("A.9 test error", """{"baz":"qux"}""", """[{"op":"test","path":"/baz","value":"bar"}]""")]
    [InlineData("A.12 add to nonexistent target", """{"foo":"bar"}""", """[{"op":"add","path":"/baz/bat","value":"qux"}]""")]
    [InlineData("A.15 strings and numbers differ", """{"/":9,"~1":10}""", """[{"op":"test","path":"/~01","value":"10"}]""")]
    [InlineData("remove missing", """{"a":1}""", """[{"op":"remove","path":"/b"}]""")]
    [InlineData("replace missing", """{"a":1}""", """[{"op":"replace","path":"/b","value":1}]""")]
    [InlineData("array index out of bounds", """{"a":[1]}""", """[{"op":"add","path":"/a/5","value":1}]""")]
    [InlineData("leading zero index", """{"a":[1,2]}""", """[{"op":"remove","path":"/a/01"}]""")]
    [InlineData("move into own child", """{"a":{"b":{}}}""", """[{"op":"move","from":"/a","path":"/a/b/c"}]""")]
    public void Inapplicable_operations_are_422_Invalid(string name, string document, string patch)
    {
        var error = Assert.Throws<PatchException>(() => JsonPatch.Apply(JsonNode.Parse(document)!, JsonNode.Parse(patch)!));

        Assert.Equal(422, error.StatusCode);
        Assert.Equal("Invalid", error.Reason);
        Assert.False(string.IsNullOrEmpty(error.Message), name);
    }

    [Theory]
    [InlineData("""{"op":"add","path":"/a","value":1}""")]
    [InlineData("""[{"path":"/a","value":1}]""")]
    [InlineData("""[{"op":"add","value":1}]""")]
    [InlineData("""[{"op":"add","path":"/a"}]""")]
    [InlineData("""[{"op":"frobnicate","path":"/a"}]""")]
    [InlineData("""[1]""")]
    public void Malformed_patches_are_400_BadRequest(string patch)
    {
        var error = Assert.Throws<PatchException>(() => JsonPatch.Apply(JsonNode.Parse("""{"a":0}""")!, JsonNode.Parse(patch)!));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal("BadRequest", error.Reason);
    }

    [Fact]
    public void A_failed_operation_leaves_the_input_untouched()
    {
        var document = JsonNode.Parse("""{"a":1}""")!;

        Assert.Throws<PatchException>(() => JsonPatch.Apply(document, JsonNode.Parse("""[{"op":"add","path":"/b","value":2},{"op":"test","path":"/a","value":3}]""")!));

        Assert.Equal("""{"a":1}""", document.ToJsonString());
    }

    [Fact]
    public void Helm_managed_fields_upgrade_patch_replaces_metadata_members()
    {
        var document = JsonNode.Parse("""{"metadata":{"name":"x","resourceVersion":"7","managedFields":[{"manager":"old"}]}}""")!;
        var patch = JsonNode.Parse("""[{"op":"replace","path":"/metadata/managedFields","value":[{"manager":"helm"}]},{"op":"replace","path":"/metadata/resourceVersion","value":"7"}]""")!;

        var result = JsonPatch.Apply(document, patch);

        Assert.Equal("helm", result["metadata"]!["managedFields"]![0]!["manager"]!.GetValue<string>());
    }
}
