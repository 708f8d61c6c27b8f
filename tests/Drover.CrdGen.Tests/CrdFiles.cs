using System.Text.Json.Nodes;
using Drover.Tests.Support;
using NJsonSchema;

namespace Drover.CrdGen.Tests;

/// <summary>The checked-in CRDs, parsed once.</summary>
public static class CrdFiles
{
    private static readonly Lazy<IReadOnlyDictionary<string, JsonObject>> ByKind = new(() =>
        Directory.GetFiles(Repository.CrdDirectory, "*.yaml")
            .Select(f => YamlJson.Parse(File.ReadAllText(f)).AsObject())
            .ToDictionary(crd => crd["spec"]!["names"]!["kind"]!.GetValue<string>()));

    private static readonly Dictionary<string, JsonSchema> Validators = [];

    public static IReadOnlyDictionary<string, JsonObject> All => ByKind.Value;

    public static TheoryData<string> Kinds() => new(["Agent", "ModelProvider", "Schedule"]);

    public static JsonObject Schema(string kind) =>
        All[kind]["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject();

    /// <summary>The CRD schema as a JSON-schema validator.</summary>
    public static JsonSchema Validator(string kind)
    {
        lock (Validators)
        {
            if (!Validators.TryGetValue(kind, out var schema))
            {
                schema = JsonSchema.FromJsonAsync(Schema(kind).ToJsonString()).GetAwaiter().GetResult();
                Validators[kind] = schema;
            }

            return schema;
        }
    }
}
