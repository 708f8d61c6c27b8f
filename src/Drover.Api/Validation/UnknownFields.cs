using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Drover.Api.Validation;

/// <summary>
/// The fields of a JSON object that its type does not declare, found the way the API server's strict field validation
/// finds them (<c>kubectl apply</c> reports <c>unknown field "spec.instuctions"</c>). The CRDs are generated from these
/// same types' JSON metadata, so a field unknown here is one the server would prune or reject. Free-form fields
/// (<c>config</c>) and values with their own converters (quantities, int-or-string, times) end the walk.
/// </summary>
public static class UnknownFields
{
    /// <summary>Every field of <paramref name="json"/> that <paramref name="type"/> does not declare, as paths (<c>spec.env[0].nmae</c>).</summary>
    public static IReadOnlyList<string> Find(JsonNode? json, JsonTypeInfo type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var found = new List<string>();
        Walk(json, type, "", found);
        return found;
    }

    private static void Walk(JsonNode? node, JsonTypeInfo type, string path, List<string> found)
    {
        switch (type.Kind)
        {
            case JsonTypeInfoKind.Object when node is JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    var field = path.Length == 0 ? key : $"{path}.{key}";
                    // Names match exactly, as on the server: spec.Image is not spec.image.
                    var property = type.Properties.FirstOrDefault(p => string.Equals(p.Name, key, StringComparison.Ordinal));
                    if (property is null)
                    {
                        found.Add(field);
                    }
                    else
                    {
                        Walk(value, type.Options.GetTypeInfo(property.PropertyType), field, found);
                    }
                }

                break;
            case JsonTypeInfoKind.Enumerable when node is JsonArray array && type.ElementType is { } itemType:
                var items = type.Options.GetTypeInfo(itemType);
                for (var i = 0; i < array.Count; i++)
                {
                    Walk(array[i], items, $"{path}[{i}]", found);
                }

                break;
            case JsonTypeInfoKind.Dictionary when node is JsonObject map && type.ElementType is { } valueType:
                var values = type.Options.GetTypeInfo(valueType);
                foreach (var (key, value) in map)
                {
                    Walk(value, values, $"{path}.{key}", found);
                }

                break;
            default:
                break;
        }
    }
}
