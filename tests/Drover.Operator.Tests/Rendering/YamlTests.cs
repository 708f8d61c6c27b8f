using System.Text.Json.Nodes;
using Drover.Operator.Rendering;

namespace Drover.Operator.Tests.Rendering;

public sealed class YamlTests
{
    [Theory]
    [InlineData("true")]
    [InlineData("on")]
    [InlineData("No")]
    [InlineData("y")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("")]
    [InlineData("1.0")]
    [InlineData("42")]
    [InlineData("0x1F")]
    [InlineData("1e3")]
    [InlineData(".inf")]
    [InlineData("12:30")]
    [InlineData("2024-01-01")]
    [InlineData("*star")]
    [InlineData("&anchor")]
    [InlineData("- dash")]
    [InlineData("key: value")]
    [InlineData("# not a comment")]
    [InlineData(" padded ")]
    [InlineData("30 7 * * *")]
    [InlineData("$(DROVER_PROMPT)")]
    [InlineData("line one\nline two\n")]
    [InlineData("trailing space \nnext")]
    public void Strings_come_back_as_the_same_strings(string text)
    {
        var yaml = YamlWriter.Write([new JsonObject { ["value"] = text, [text.Length == 0 ? "empty" : text] = 1 }]);

        var read = (JsonObject)YamlReader.ReadDocuments(yaml).Single();

        Assert.Equal(text, read["value"]!.GetValue<string>());
        Assert.True(read.ContainsKey(text.Length == 0 ? "empty" : text), yaml);
    }

    [Fact]
    public void Ambiguous_strings_are_quoted_and_plain_ones_are_not()
    {
        var yaml = YamlWriter.Write([new JsonObject { ["a"] = "true", ["b"] = "1.0", ["c"] = "", ["d"] = "gpt-4o-mini" }]);

        Assert.Equal("---\na: \"true\"\nb: \"1.0\"\nc: \"\"\nd: gpt-4o-mini\n", yaml);
    }

    [Fact]
    public void Multi_line_text_is_written_as_a_literal_block()
    {
        var yaml = YamlWriter.Write([new JsonObject { ["instructions"] = "Be brief.\nBe kind.\n" }]);

        Assert.Equal("---\ninstructions: |\n  Be brief.\n  Be kind.\n", yaml);
    }

    [Fact]
    public void Plain_scalars_are_typed_and_quoted_ones_stay_strings()
    {
        var node = (JsonObject)YamlReader.ReadDocuments("""
            int: 8080
            negative: -3
            float: 0.2
            bool: true
            nothing: ~
            empty:
            quoted: "8080"
            single: 'true'
            text: hello
            hex: 0x10
            tagged: !!str 12
            """).Single();

        Assert.Equal(8080, node["int"]!.GetValue<long>());
        Assert.Equal(-3, node["negative"]!.GetValue<long>());
        Assert.Equal(0.2m, node["float"]!.GetValue<decimal>());
        Assert.True(node["bool"]!.GetValue<bool>());
        Assert.Null(node["nothing"]);
        Assert.True(node.ContainsKey("empty"));
        Assert.Null(node["empty"]);
        Assert.Equal("8080", node["quoted"]!.GetValue<string>());
        Assert.Equal("true", node["single"]!.GetValue<string>());
        Assert.Equal("hello", node["text"]!.GetValue<string>());
        Assert.Equal(16, node["hex"]!.GetValue<long>());
        Assert.Equal("12", node["tagged"]!.GetValue<string>());
    }

    [Fact]
    public void Documents_anchors_aliases_and_merge_keys_are_read()
    {
        var documents = YamlReader.ReadDocuments("""
            # leading comment only document
            ---
            base: &base {cpu: 10m, memory: 32Mi}
            copy: *base
            merged:
              <<: *base
              memory: 64Mi
            list: &l [1, 2]
            again: *l
            ---
            second: true
            ---
            """);

        Assert.Equal(2, documents.Count);
        var first = (JsonObject)documents[0];
        Assert.Equal("10m", first["copy"]!["cpu"]!.GetValue<string>());
        Assert.Equal("10m", first["merged"]!["cpu"]!.GetValue<string>());
        Assert.Equal("64Mi", first["merged"]!["memory"]!.GetValue<string>());
        Assert.Equal(2, first["again"]!.AsArray().Count);
        Assert.True(documents[1]["second"]!.GetValue<bool>());
    }

    [Fact]
    public void Invalid_yaml_reports_where()
    {
        var error = Assert.ThrowsAny<YamlDotNet.Core.YamlException>(() => YamlReader.ReadDocuments("a: [1, 2\nb: 3\n"));

        Assert.Contains("Line", error.Message + error.Start, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_key_given_twice_is_an_error_naming_the_field_and_its_line()
    {
        var error = Assert.Throws<YamlDotNet.Core.YamlException>(() => YamlReader.ReadDocuments("""
            spec:
              env:
                - name: A
                  value: "1"
                  value: "2"
            """));

        Assert.Contains("duplicate field \"spec.env[0].value\"", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, error.Start.Line);
    }
}
