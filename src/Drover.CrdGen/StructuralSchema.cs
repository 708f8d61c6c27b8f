using System.Text.Json.Nodes;

namespace Drover.CrdGen;

/// <summary>
/// Turns an exported JSON schema into a structural OpenAPI v3 schema as apiextensions.k8s.io/v1 demands:
/// one type per node, no null types, no $ref, keys in a stable order.
/// </summary>
internal static class StructuralSchema
{
    public static JsonObject Normalize(JsonNode exported)
    {
        if (exported is not JsonObject root)
        {
            throw new InvalidOperationException("The root schema must be an object schema.");
        }

        var inlined = Inline(root, root, "", []);
        return (JsonObject)Sort(inlined);
    }

    private static JsonObject Inline(JsonObject node, JsonObject root, string path, HashSet<string> resolving)
    {
        if (node["$ref"] is JsonValue reference)
        {
            var pointer = reference.GetValue<string>();
            if (!resolving.Add(pointer))
            {
                throw new InvalidOperationException($"{path}: recursive type at {pointer} cannot be inlined into a structural schema.");
            }

            var target = Resolve(root, pointer)?.DeepClone() as JsonObject
                ?? throw new InvalidOperationException($"{path}: unresolvable $ref {pointer}.");
            foreach (var (key, value) in node)
            {
                if (key != "$ref")
                {
                    target[key] = value?.DeepClone();
                }
            }

            var result = Inline(target, root, path, resolving);
            resolving.Remove(pointer);
            return result;
        }

        var copy = new JsonObject();
        foreach (var (key, value) in node)
        {
            switch (key)
            {
                case "$schema":
                    break;
                case "type":
                    copy["type"] = SingleType(value, path);
                    break;
                case "properties":
                    var properties = new JsonObject();
                    foreach (var (name, property) in (JsonObject)value!)
                    {
                        properties[name] = Inline(AsSchema(property, $"{path}.{name}"), root, $"{path}.{name}", resolving);
                    }

                    copy["properties"] = properties;
                    break;
                case "items" or "additionalProperties":
                    copy[key] = Inline(AsSchema(value, $"{path}.{key}"), root, $"{path}.{key}", resolving);
                    break;
                case "anyOf":
                    copy[key] = value!.DeepClone();
                    break;
                case "enum":
                    // Nullable properties list null among their values; the API server drops nulls before validating.
                    copy[key] = new JsonArray([.. ((JsonArray)value!).Where(v => v is not null).Select(v => v!.DeepClone())]);
                    break;
                default:
                    copy[key] = value?.DeepClone();
                    break;
            }
        }

        var exempt = copy["x-kubernetes-int-or-string"] is not null || copy["x-kubernetes-preserve-unknown-fields"] is not null;
        if (copy["type"] is null && !exempt)
        {
            throw new InvalidOperationException($"{(path.Length == 0 ? "<root>" : path)}: schema has no type; give the C# type a schema in CoreTypeSchemas or an attribute.");
        }

        if (copy["anyOf"] is not null && copy["x-kubernetes-int-or-string"] is null)
        {
            throw new InvalidOperationException($"{path}: anyOf is only allowed for int-or-string.");
        }

        return copy;
    }

    private static JsonObject AsSchema(JsonNode? node, string path) => node as JsonObject
        ?? throw new InvalidOperationException($"{path}: expected an object schema, got {node?.ToJsonString() ?? "null"}.");

    private static JsonNode SingleType(JsonNode? type, string path)
    {
        switch (type)
        {
            case JsonValue v:
                return v.DeepClone();
            case JsonArray array:
                var types = array.Select(t => t!.GetValue<string>()).Where(t => t != "null").ToArray();
                if (types.Length != 1)
                {
                    throw new InvalidOperationException($"{path}: a structural schema needs exactly one type, got [{string.Join(", ", types)}].");
                }

                return types[0];
            default:
                throw new InvalidOperationException($"{path}: unexpected type {type?.ToJsonString()}.");
        }
    }

    private static JsonNode? Resolve(JsonObject root, string pointer)
    {
        if (!pointer.StartsWith('#'))
        {
            return null;
        }

        JsonNode? current = root;
        foreach (var segment in pointer.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            current = current switch
            {
                JsonObject o => o[name],
                JsonArray a when int.TryParse(name, out var i) => a[i],
                _ => null,
            };
        }

        return current;
    }

    /// <summary>Sorts object keys ordinally at every level, so output does not depend on reflection order.</summary>
    public static JsonNode Sort(JsonNode node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, p.Value is null ? null : Sort(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(v => v is null ? null : Sort(v))]),
        _ => node.DeepClone(),
    };
}
