using System.Text.Json.Nodes;
using Drover.Tests.Support;

namespace Drover.CrdGen.Tests;

public class SampleSchemaTests
{
    public static TheoryData<string, string> DroverSamples()
    {
        var data = new TheoryData<string, string>();
        foreach (var (file, obj) in Repository.Samples().Where(s => DroverObjects.IsDrover(s.Object)))
        {
            data.Add(file, obj.ToJsonString());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DroverSamples))]
    public void Every_sample_validates_against_its_crd_schema(string file, string json)
    {
        var kind = DroverObjects.Kind(JsonNode.Parse(json)!.AsObject());
        var errors = CrdFiles.Validator(kind).Validate(json);
        Assert.True(errors.Count == 0, $"{file}: {string.Join("; ", errors.Select(e => $"{e.Path}: {e.Kind}"))}");
    }

    [Theory]
    [MemberData(nameof(DroverSamples))]
    public void Samples_contain_no_field_the_api_server_would_prune(string file, string json)
    {
        var obj = JsonNode.Parse(json)!.AsObject();
        var unknown = SchemaPruning.UnknownFields(obj, CrdFiles.Schema(DroverObjects.Kind(obj)));
        Assert.True(unknown.Count == 0, $"{file}: unknown fields {string.Join(", ", unknown)}");
    }

    [Theory]
    [InlineData("{args: [agent, -m, \"$(DROVER_PROMPT)\"]}", true)]
    [InlineData("{command: [agent, -m, \"$(DROVER_PROMPT)\"]}", true)]
    [InlineData("{command: [picoclaw], args: [agent, -m, \"$(DROVER_PROMPT)\"]}", true)]
    [InlineData("{}", false)]
    public void RunOnce_takes_command_args_or_both_but_not_nothing(string runOnce, bool accepted)
    {
        var agent = YamlJson.Parse($$$"""
            apiVersion: drover.dev/v1alpha1
            kind: Agent
            metadata: {name: picoclaw, namespace: default}
            spec:
              image: ghcr.io/sipeed/picoclaw:latest
              runOnce: {{{runOnce}}}
              model: {providerRef: {name: openai}}
            """).AsObject();

        var errors = CrdFiles.Validator("Agent").Validate(agent.ToJsonString());

        Assert.True(accepted == (errors.Count == 0), string.Join("; ", errors.Select(e => $"{e.Path}: {e.Kind}")));
    }

    [Fact]
    public void Pruning_check_finds_a_misspelt_field()
    {
        var agent = Repository.Samples().Select(s => s.Object).First(o => DroverObjects.Kind(o) == "Agent");
        agent["spec"]!["replica"] = 2;
        Assert.Equal(["spec.replica"], SchemaPruning.UnknownFields(agent, CrdFiles.Schema("Agent")));
    }
}

/// <summary>Which fields of an object the API server would silently drop (kubectl --validate=strict rejects them).</summary>
public static class SchemaPruning
{
    public static List<string> UnknownFields(JsonObject obj, JsonObject schema)
    {
        var unknown = new List<string>();
        Walk(obj, schema, "", unknown);
        return unknown;
    }

    private static void Walk(JsonNode? value, JsonObject schema, string path, List<string> unknown)
    {
        if (schema["x-kubernetes-preserve-unknown-fields"] is not null || path == "metadata")
        {
            return;
        }

        switch (value)
        {
            case JsonObject o when schema["properties"] is JsonObject properties:
                foreach (var (name, child) in o)
                {
                    var childPath = path.Length == 0 ? name : $"{path}.{name}";
                    if (properties[name] is JsonObject childSchema)
                    {
                        Walk(child, childSchema, childPath, unknown);
                    }
                    else
                    {
                        unknown.Add(childPath);
                    }
                }

                break;
            case JsonObject o when schema["additionalProperties"] is JsonObject valueSchema:
                foreach (var (name, child) in o)
                {
                    Walk(child, valueSchema, $"{path}.{name}", unknown);
                }

                break;
            case JsonArray a when schema["items"] is JsonObject itemSchema:
                for (var i = 0; i < a.Count; i++)
                {
                    Walk(a[i], itemSchema, $"{path}[{i}]", unknown);
                }

                break;
        }
    }
}
