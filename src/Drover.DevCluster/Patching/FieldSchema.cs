using System.Text.Json;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Patching;

/// <summary>
/// The part of a type's schema that merging needs: which fields exist, how lists merge (atomic, set or
/// map by keys, plus the strategic-merge-patch key and strategy) and which maps are atomic. Parts that are
/// not described behave like Kubernetes structs: objects merge field by field, lists are atomic.
/// </summary>
public sealed class FieldSchema
{
    private static readonly Dictionary<string, FieldSchema> NoProperties = new(StringComparer.Ordinal);

    /// <summary>Nothing known: granular objects whose fields are struct fields, atomic lists.</summary>
    public static FieldSchema Unknown { get; } = new();

    /// <summary>
    /// Schemaless data (<c>x-kubernetes-preserve-unknown-fields</c>): like <see cref="Unknown"/>, but every
    /// object key is a map entry, so it is owned itself and not only through its children.
    /// </summary>
    public static FieldSchema Untyped { get; } = new() { PreservesUnknownFields = true };

    public IReadOnlyDictionary<string, FieldSchema> Properties { get; init; } = NoProperties;

    /// <summary>Schema of the values of a map (<c>additionalProperties</c>); keys not in <see cref="Properties"/> use it.</summary>
    public FieldSchema? AdditionalProperties { get; init; }

    /// <summary>Keys that are neither declared nor under <see cref="AdditionalProperties"/> are schemaless values.</summary>
    public bool PreservesUnknownFields { get; init; }

    public FieldSchema? ItemSchema { get; init; }

    public ListType ListType { get; init; } = ListType.Atomic;

    public IReadOnlyList<string> ListMapKeys { get; init; } = [];

    /// <summary><c>x-kubernetes-map-type: atomic</c> (or a struct marked atomic): the object is one value.</summary>
    public bool IsAtomicMap { get; init; }

    /// <summary>Schema default; used to fill in missing list-map keys (e.g. <c>protocol: TCP</c>).</summary>
    public JsonNode? Default { get; init; }

    /// <summary>Strategic merge patch key of a list (<c>patchMergeKey</c>); may differ from the SSA keys.</summary>
    public string? PatchMergeKey { get; init; }

    /// <summary>Strategic merge patch strategy: <c>merge</c>, <c>replace</c>, <c>retainKeys</c> or <c>merge,retainKeys</c>.</summary>
    public string? PatchStrategy { get; init; }

    public FieldSchema Items => ItemSchema ?? (PreservesUnknownFields ? Untyped : Unknown);

    public FieldSchema Child(string name)
    {
        if (Properties.TryGetValue(name, out var declared))
        {
            return declared;
        }

        if (AdditionalProperties is not null)
        {
            return AdditionalProperties;
        }

        return PreservesUnknownFields ? Untyped : Unknown;
    }

    /// <summary>
    /// Whether <paramref name="name"/> is a map entry rather than a struct field; structured-merge-diff
    /// owns map entries themselves (so an object-valued entry gets a <c>"."</c>).
    /// </summary>
    public bool IsMapEntry(string name) =>
        !Properties.ContainsKey(name) && (AdditionalProperties is not null || PreservesUnknownFields);

    internal bool MergesStrategically => PatchStrategy is not null && PatchStrategy.Split(',').Contains("merge", StringComparer.Ordinal);

    internal bool ReplacesStrategically => PatchStrategy is not null && PatchStrategy.Split(',').Contains("replace", StringComparer.Ordinal);

    // Builders used by BuiltinSchemas and tests.
    public static FieldSchema Struct(params (string Name, FieldSchema Schema)[] fields) =>
        new() { Properties = fields.ToDictionary(f => f.Name, f => f.Schema, StringComparer.Ordinal) };

    public static FieldSchema AtomicStruct(params (string Name, FieldSchema Schema)[] fields) =>
        new() { Properties = fields.ToDictionary(f => f.Name, f => f.Schema, StringComparer.Ordinal), IsAtomicMap = true };

    public static FieldSchema MapOf(FieldSchema values) => new() { AdditionalProperties = values };

    public static FieldSchema AtomicList(FieldSchema? items = null) => new() { ListType = ListType.Atomic, ItemSchema = items };

    /// <summary>A list of scalars merged as a set; strategic merge patch merges it too (finalizers).</summary>
    public static FieldSchema SetList(string? patchStrategy = "merge") =>
        new() { ListType = ListType.Set, PatchStrategy = patchStrategy };

    /// <summary>A list of objects keyed by <paramref name="keys"/>; <paramref name="patchMergeKey"/> defaults to the first key.</summary>
    public static FieldSchema MapList(FieldSchema items, string[] keys, string? patchMergeKey = null, string patchStrategy = "merge") =>
        new()
        {
            ListType = ListType.Map,
            ListMapKeys = keys,
            ItemSchema = items,
            PatchMergeKey = patchMergeKey ?? keys[0],
            PatchStrategy = patchStrategy,
        };

    /// <summary>Returns a copy with <paramref name="name"/> added or replaced.</summary>
    public FieldSchema With(string name, FieldSchema schema)
    {
        var properties = new Dictionary<string, FieldSchema>(Properties, StringComparer.Ordinal) { [name] = schema };
        return new FieldSchema
        {
            Properties = properties,
            AdditionalProperties = AdditionalProperties,
            PreservesUnknownFields = PreservesUnknownFields,
            ItemSchema = ItemSchema,
            ListType = ListType,
            ListMapKeys = ListMapKeys,
            IsAtomicMap = IsAtomicMap,
            Default = Default,
            PatchMergeKey = PatchMergeKey,
            PatchStrategy = PatchStrategy,
        };
    }

    /// <summary>Returns a copy with the strategic merge patch strategy set (e.g. <c>retainKeys</c>).</summary>
    public FieldSchema WithPatchStrategy(string patchStrategy) =>
        new()
        {
            Properties = Properties,
            AdditionalProperties = AdditionalProperties,
            PreservesUnknownFields = PreservesUnknownFields,
            ItemSchema = ItemSchema,
            ListType = ListType,
            ListMapKeys = ListMapKeys,
            IsAtomicMap = IsAtomicMap,
            Default = Default,
            PatchMergeKey = PatchMergeKey,
            PatchStrategy = patchStrategy,
        };

    /// <summary>
    /// Reads a CRD version's <c>openAPIV3Schema</c>. <c>metadata</c> is always ObjectMeta, whatever the CRD says,
    /// as on the real server.
    /// </summary>
    public static FieldSchema FromOpenApi(JsonObject openApiV3Schema)
    {
        ArgumentNullException.ThrowIfNull(openApiV3Schema);
        return Read(openApiV3Schema).With("metadata", BuiltinSchemas.ObjectMeta);
    }

    private static FieldSchema Read(JsonObject node)
    {
        var properties = new Dictionary<string, FieldSchema>(StringComparer.Ordinal);
        if (node["properties"] is JsonObject props)
        {
            foreach (var (name, child) in props)
            {
                if (child is JsonObject childSchema)
                {
                    properties[name] = Read(childSchema);
                }
            }
        }

        FieldSchema? additional = node["additionalProperties"] switch
        {
            JsonObject schema => Read(schema),
            JsonValue flag when flag.GetValueKind() == JsonValueKind.True => Untyped,
            _ => null,
        };

        var preserve = IsTrue(node["x-kubernetes-preserve-unknown-fields"]);
        var items = node["items"] is JsonObject itemSchema ? Read(itemSchema) : null;
        var keys = node["x-kubernetes-list-map-keys"] is JsonArray keyArray
            ? keyArray.Select(k => k?.GetValue<string>() ?? string.Empty).Where(k => k.Length > 0).ToArray()
            : [];
        var mergeKey = (node["x-kubernetes-patch-merge-key"] as JsonValue)?.GetValue<string>();
        var strategy = (node["x-kubernetes-patch-strategy"] as JsonValue)?.GetValue<string>();
        var listType = ((node["x-kubernetes-list-type"] as JsonValue)?.GetValue<string>()) switch
        {
            "map" => ListType.Map,
            "set" => ListType.Set,
            "atomic" => ListType.Atomic,
            // Without a list type, a merge strategy with a key means map (as for built-in types); otherwise atomic.
            _ when mergeKey is not null && strategy is not null && strategy.Contains("merge", StringComparison.Ordinal) => ListType.Map,
            _ => ListType.Atomic,
        };
        if (listType == ListType.Map && keys.Length == 0 && mergeKey is not null)
        {
            keys = [mergeKey];
        }

        return new FieldSchema
        {
            Properties = properties,
            AdditionalProperties = additional,
            PreservesUnknownFields = preserve,
            ItemSchema = items,
            ListType = listType,
            ListMapKeys = keys,
            IsAtomicMap = (node["x-kubernetes-map-type"] as JsonValue)?.GetValue<string>() == "atomic",
            Default = node["default"]?.DeepClone(),
            PatchMergeKey = mergeKey ?? (listType == ListType.Map && keys.Length > 0 ? keys[0] : null),
            PatchStrategy = strategy ?? (listType is ListType.Map or ListType.Set ? "merge" : null),
        };
    }

    private static bool IsTrue(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.True;
}
