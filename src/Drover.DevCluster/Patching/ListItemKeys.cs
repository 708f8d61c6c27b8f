using System.Text.Json.Nodes;

namespace Drover.DevCluster.Patching;

/// <summary>How structured-merge-diff names an item of a granular list: by its key fields (map) or its value (set).</summary>
internal static class ListItemKeys
{
    public static PathElement ElementFor(JsonNode? item, FieldSchema list, FieldPath listPath, int index)
    {
        if (list.ListType == ListType.Set)
        {
            if (item is JsonObject or JsonArray || JsonEquality.IsNull(item))
            {
                throw Invalid(listPath, index, "associative list without keys has an element that's a map type, a list or null");
            }

            return PathElement.SetValue(item);
        }

        if (item is not JsonObject map)
        {
            throw Invalid(listPath, index, "associative list with keys may not have non-map elements");
        }

        var fields = new List<KeyValuePair<string, JsonNode?>>();
        foreach (var key in list.ListMapKeys)
        {
            if (map.TryGetPropertyValue(key, out var value))
            {
                fields.Add(new(key, value));
            }
            else if (list.Items.Child(key).Default is { } defaultValue)
            {
                // Missing keys take their schema default (a port without "protocol" is TCP).
                fields.Add(new(key, defaultValue));
            }
        }

        if (fields.Count == 0)
        {
            throw Invalid(listPath, index, $"associative list with keys has an element that omits all key fields [{string.Join(" ", list.ListMapKeys.Select(k => $"\"{k}\""))}] (and doesn't have default values for any key fields)");
        }

        return PathElement.ListKey(fields);
    }

    private static PatchException Invalid(FieldPath listPath, int index, string message) =>
        new(422, "Invalid", $"{listPath}: element {index}: {message}", [(listPath.ToString().TrimStart('.'), "FieldValueInvalid", message)]);
}
