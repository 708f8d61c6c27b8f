using System.Text.Json.Nodes;

namespace Drover.DevCluster.Defaulting;

/// <summary>
/// Go defaulting tests a field against its zero value (<c>if obj.Type == ""</c>, <c>if obj.Replicas == nil</c>);
/// in JSON a zero value is a missing key, a null, an empty string or a 0.
/// </summary>
internal static class DefaultValues
{
    public static bool IsUnset(JsonNode? value) => value switch
    {
        null => true,
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length == 0,
        _ => false,
    };

    public static bool IsZero(JsonNode? value) =>
        IsUnset(value) || (value is JsonValue v && v.ToJsonString() == "0");

    /// <summary>Sets a string field left empty, as <c>if obj.X == "" { obj.X = value }</c>.</summary>
    public static void String(JsonObject obj, string field, string value)
    {
        if (IsUnset(obj[field]))
        {
            obj[field] = value;
        }
    }

    /// <summary>Sets a pointer field left nil, as <c>if obj.X == nil { obj.X = &amp;value }</c>.</summary>
    public static void Pointer(JsonObject obj, string field, JsonNode value)
    {
        if (obj[field] is null)
        {
            obj[field] = value;
        }
    }

    /// <summary>Sets a non-pointer number left at 0.</summary>
    public static void Number(JsonObject obj, string field, long value)
    {
        if (IsZero(obj[field]))
        {
            obj[field] = value;
        }
    }

    public static IEnumerable<JsonObject> Objects(JsonNode? array) =>
        array is JsonArray items ? items.OfType<JsonObject>() : [];

    public static JsonObject? Object(JsonNode? node, params ReadOnlySpan<string> path)
    {
        foreach (var segment in path)
        {
            node = node is JsonObject o ? o[segment] : null;
        }

        return node as JsonObject;
    }

    /// <summary>The object at <paramref name="field"/>, created empty when it is missing.</summary>
    public static JsonObject Child(JsonObject obj, string field)
    {
        if (obj[field] is JsonObject child)
        {
            return child;
        }

        child = [];
        obj[field] = child;
        return child;
    }
}
