using System.Text.Json.Nodes;

namespace Drover.DevCluster.Patching;

/// <summary>
/// The set of fields an object sets (structured-merge-diff <c>ToFieldSet</c>): every scalar leaf, atomic list or map,
/// empty object and null; every item of a granular list; and every map entry (not struct field) itself.
/// </summary>
internal static class ObjectFields
{
    public static FieldSet Of(JsonNode? node, FieldSchema schema)
    {
        var set = new FieldSet();
        Walk(node, schema, FieldPath.Root, set);
        return set;
    }

    private static void Walk(JsonNode? node, FieldSchema schema, FieldPath path, FieldSet set)
    {
        switch (node)
        {
            case JsonObject obj:
                if (schema.IsAtomicMap)
                {
                    set.Insert(path);
                    return;
                }

                foreach (var (key, value) in obj)
                {
                    var childPath = path.Append(PathElement.Field(key));
                    Walk(value, schema.Child(key), childPath, set);
                    if (JsonEquality.IsNull(value) || (value is JsonObject o && o.Count == 0) || schema.IsMapEntry(key))
                    {
                        set.Insert(childPath);
                    }
                }

                return;
            case JsonArray array:
                if (schema.ListType == ListType.Atomic)
                {
                    set.Insert(path);
                    return;
                }

                var elements = array.Select((item, i) => ListItemKeys.ElementFor(item, schema, path, i)).ToList();
                var duplicates = elements.GroupBy(e => e).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
                for (var i = 0; i < array.Count; i++)
                {
                    var itemPath = path.Append(elements[i]);
                    if (!duplicates.Contains(elements[i]))
                    {
                        Walk(array[i], schema.Items, itemPath, set);
                    }

                    set.Insert(itemPath);
                }

                return;
            default:
                set.Insert(path);
                return;
        }
    }
}
