using System.Text.Json.Nodes;

namespace Drover.DevCluster.Protocol;

/// <summary>Small accessors for walking Kubernetes objects held as JSON nodes.</summary>
public static class Json
{
    public static JsonObject Metadata(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (obj["metadata"] is JsonObject metadata)
        {
            return metadata;
        }

        metadata = [];
        obj["metadata"] = metadata;
        return metadata;
    }

    public static string? String(JsonNode? node, params ReadOnlySpan<string> path)
    {
        foreach (var segment in path)
        {
            node = node is JsonObject o ? o[segment] : null;
        }

        return node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
    }

    public static long? Integer(JsonNode? node, params ReadOnlySpan<string> path)
    {
        foreach (var segment in path)
        {
            node = node is JsonObject o ? o[segment] : null;
        }

        if (node is not JsonValue value)
        {
            return null;
        }

        if (value.TryGetValue<long>(out var l))
        {
            return l;
        }

        if (value.TryGetValue<int>(out var i))
        {
            return i;
        }

        return value.TryGetValue<double>(out var d) && Math.Abs(d % 1) < double.Epsilon ? (long)d : null;
    }

    public static JsonNode? At(JsonNode? node, params ReadOnlySpan<string> path)
    {
        foreach (var segment in path)
        {
            node = node is JsonObject o ? o[segment] : null;
        }

        return node;
    }

    /// <summary>The string items of an array field, or empty.</summary>
    public static List<string> Strings(JsonNode? node) =>
        node is JsonArray array ? [.. array.Select(n => n?.ToString() ?? string.Empty)] : [];

    public static JsonArray ToArray(IEnumerable<string> items)
    {
        var array = new JsonArray();
        foreach (var item in items)
        {
            array.Add(item);
        }

        return array;
    }
}
