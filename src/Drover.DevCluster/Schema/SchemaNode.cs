using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Drover.DevCluster.Schema;

/// <summary>
/// One node of a parsed OpenAPI v3 schema: the structural skeleton (type, properties,
/// items, additionalProperties and the x-kubernetes extensions) that pruning and
/// defaulting walk, plus the value validations that only validation reads.
/// </summary>
internal sealed record SchemaNode
{
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromSeconds(1);

    public string? Type { get; private init; }
    public string? Format { get; private init; }
    public bool Nullable { get; private init; }

    /// <summary>The <c>default</c> value; null when the schema has none (a JSON <c>null</c> default is not a default).</summary>
    public JsonNode? Default { get; private init; }

    public IReadOnlyDictionary<string, SchemaNode> Properties { get; private init; } = EmptyProperties;
    public IReadOnlyList<string> Required { get; private init; } = [];
    public SchemaNode? Items { get; private init; }

    /// <summary>True when <c>additionalProperties</c> is present (a schema or <c>true</c>).</summary>
    public bool HasAdditionalProperties { get; private init; }

    /// <summary>The additionalProperties schema; null with <c>additionalProperties: true</c>.</summary>
    public SchemaNode? AdditionalProperties { get; private init; }

    public bool PreserveUnknownFields { get; private init; }
    public bool EmbeddedResource { get; private init; }
    public bool IntOrString { get; private init; }
    public string? ListType { get; private init; }
    public IReadOnlyList<string> ListMapKeys { get; private init; } = [];

    public IReadOnlyList<JsonNode?>? Enum { get; private init; }
    public double? Minimum { get; private init; }
    public double? Maximum { get; private init; }
    public bool ExclusiveMinimum { get; private init; }
    public bool ExclusiveMaximum { get; private init; }
    public double? MultipleOf { get; private init; }
    public long? MinLength { get; private init; }
    public long? MaxLength { get; private init; }
    public long? MinItems { get; private init; }
    public long? MaxItems { get; private init; }
    public long? MinProperties { get; private init; }
    public long? MaxProperties { get; private init; }
    public bool UniqueItems { get; private init; }
    public string? Pattern { get; private init; }
    public Regex? PatternRegex { get; private init; }

    public IReadOnlyList<SchemaNode> AllOf { get; private init; } = [];
    public IReadOnlyList<SchemaNode> AnyOf { get; private init; } = [];
    public IReadOnlyList<SchemaNode> OneOf { get; private init; } = [];
    public SchemaNode? Not { get; private init; }

    private static readonly Dictionary<string, SchemaNode> EmptyProperties = new(StringComparer.Ordinal);

    /// <summary>A schema that allows anything and prunes nothing below it.</summary>
    public static SchemaNode PreserveAll { get; } = new() { PreserveUnknownFields = true };

    /// <summary>The same node, flagged as an embedded resource (the root of every custom resource is one).</summary>
    public SchemaNode AsEmbeddedResource() => EmbeddedResource ? this : this with { EmbeddedResource = true };

    public static SchemaNode Parse(JsonObject schema, string path)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var properties = new Dictionary<string, SchemaNode>(StringComparer.Ordinal);
        if (schema["properties"] is JsonObject props)
        {
            foreach (var (name, value) in props)
            {
                properties[name] = Parse(AsObject(value, $"{path}.properties.{name}"), $"{path}.properties.{name}");
            }
        }

        SchemaNode? additional = null;
        var hasAdditional = false;
        switch (schema["additionalProperties"])
        {
            case JsonObject additionalSchema:
                hasAdditional = true;
                additional = Parse(additionalSchema, $"{path}.additionalProperties");
                break;
            case JsonValue flag when flag.GetValueKind() == JsonValueKind.True:
                hasAdditional = true;
                break;
            default:
                break;
        }

        var pattern = ReadString(schema, "pattern");
        Regex? regex = null;
        if (pattern is not null)
        {
            try
            {
                regex = new Regex(pattern, RegexOptions.CultureInvariant, PatternTimeout);
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"{path}.pattern: invalid regular expression \"{pattern}\": {e.Message}", e);
            }
        }

        return new SchemaNode
        {
            Type = ReadString(schema, "type"),
            Format = ReadString(schema, "format"),
            Nullable = ReadBool(schema, "nullable"),
            Default = schema["default"] is { } d ? d.DeepClone() : null,
            Properties = properties,
            Required = schema["required"] is JsonArray required ? [.. required.Select(r => r?.GetValue<string>() ?? "")] : [],
            Items = schema["items"] is JsonObject items ? Parse(items, $"{path}.items") : null,
            HasAdditionalProperties = hasAdditional,
            AdditionalProperties = additional,
            PreserveUnknownFields = ReadBool(schema, "x-kubernetes-preserve-unknown-fields"),
            EmbeddedResource = ReadBool(schema, "x-kubernetes-embedded-resource"),
            IntOrString = ReadBool(schema, "x-kubernetes-int-or-string"),
            ListType = ReadString(schema, "x-kubernetes-list-type"),
            ListMapKeys = schema["x-kubernetes-list-map-keys"] is JsonArray keys ? [.. keys.Select(k => k?.GetValue<string>() ?? "")] : [],
            Enum = schema["enum"] is JsonArray values ? [.. values.Select(v => v?.DeepClone())] : null,
            Minimum = ReadDouble(schema, "minimum"),
            Maximum = ReadDouble(schema, "maximum"),
            ExclusiveMinimum = ReadBool(schema, "exclusiveMinimum"),
            ExclusiveMaximum = ReadBool(schema, "exclusiveMaximum"),
            MultipleOf = ReadDouble(schema, "multipleOf"),
            MinLength = ReadLong(schema, "minLength"),
            MaxLength = ReadLong(schema, "maxLength"),
            MinItems = ReadLong(schema, "minItems"),
            MaxItems = ReadLong(schema, "maxItems"),
            MinProperties = ReadLong(schema, "minProperties"),
            MaxProperties = ReadLong(schema, "maxProperties"),
            UniqueItems = ReadBool(schema, "uniqueItems"),
            Pattern = pattern,
            PatternRegex = regex,
            AllOf = ParseList(schema, "allOf", path),
            AnyOf = ParseList(schema, "anyOf", path),
            OneOf = ParseList(schema, "oneOf", path),
            Not = schema["not"] is JsonObject not ? Parse(not, $"{path}.not") : null,
        };
    }

    private static SchemaNode[] ParseList(JsonObject schema, string keyword, string path) =>
        schema[keyword] is JsonArray list
            ? [.. list.Select((s, i) => Parse(AsObject(s, $"{path}.{keyword}[{i}]"), $"{path}.{keyword}[{i}]"))]
            : [];

    private static JsonObject AsObject(JsonNode? node, string path) =>
        node as JsonObject ?? throw new FormatException($"{path}: a schema must be an object");

    private static string? ReadString(JsonObject schema, string keyword) =>
        schema[keyword] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static bool ReadBool(JsonObject schema, string keyword) =>
        schema[keyword] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    private static double? ReadDouble(JsonObject schema, string keyword) =>
        schema[keyword] is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            ? double.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture)
            : null;

    private static long? ReadLong(JsonObject schema, string keyword) =>
        ReadDouble(schema, keyword) is { } d ? (long)d : null;
}
