using System.Text.Json.Nodes;

namespace Drover.DevCluster.Patching;

/// <summary>
/// Removes owned paths from an object (structured-merge-diff <c>RemoveItems</c>): a field, map entry or list item and
/// everything under it. Objects and lists emptied by the removal disappear too, as a Go object would omit them.
/// </summary>
internal static class FieldRemoval
{
    public static JsonObject Remove(JsonObject node, FieldSet paths, FieldSchema schema) =>
        paths.IsEmpty ? node : (Remove((JsonNode)node, paths, schema, FieldPath.Root) as JsonObject) ?? [];

    private static JsonNode? Remove(JsonNode? node, FieldSet paths, FieldSchema schema, FieldPath path)
    {
        switch (node)
        {
            case JsonObject obj when !schema.IsAtomicMap:
                {
                    var result = new JsonObject();
                    foreach (var (key, value) in obj)
                    {
                        var element = PathElement.Field(key);
                        if (paths.Has(new FieldPath([element])))
                        {
                            continue;
                        }

                        var below = paths.Below(element);
                        if (below.IsEmpty)
                        {
                            result[key] = value?.DeepClone();
                            continue;
                        }

                        var remaining = Remove(value, below, schema.Child(key), path.Append(element));
                        if (remaining is not null)
                        {
                            result[key] = remaining;
                        }
                    }

                    return result.Count > 0 ? result : null;
                }

            case JsonArray array when schema.ListType != ListType.Atomic:
                {
                    var result = new JsonArray();
                    for (var i = 0; i < array.Count; i++)
                    {
                        var element = ListItemKeys.ElementFor(array[i], schema, path, i);
                        if (paths.Has(new FieldPath([element])))
                        {
                            continue;
                        }

                        var below = paths.Below(element);
                        result.Add(below.IsEmpty ? array[i]?.DeepClone() : Remove(array[i], below, schema.Items, path.Append(element)) ?? new JsonObject());
                    }

                    return result.Count > 0 ? result : null;
                }

            default:
                return node?.DeepClone();
        }
    }
}
