using System.Text.Json.Nodes;

namespace Drover.DevCluster.Schema;

/// <summary>
/// Drops fields the schema does not declare, following apiextensions' pruning algorithm:
/// <c>x-kubernetes-preserve-unknown-fields</c> keeps unknown fields but still prunes
/// inside declared properties; an embedded resource keeps apiVersion, kind and metadata.
/// </summary>
internal static class SchemaPruner
{
    private static readonly HashSet<string> MetaFields = new(StringComparer.Ordinal) { "apiVersion", "kind", "metadata" };

    public static void Prune(JsonNode? node, SchemaNode? schema, string path, List<string> removed)
    {
        if (schema is { PreserveUnknownFields: true })
        {
            PruneInsidePreserved(node, schema, path, removed);
            return;
        }

        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (schema is not null && schema.EmbeddedResource && MetaFields.Contains(key))
                    {
                        ObjectMetaCoercion.CoerceEmbedded(obj, key, path, removed);
                        continue;
                    }

                    if (schema is not null && schema.Properties.TryGetValue(key, out var property))
                    {
                        Prune(obj[key], property, FieldPath.Child(path, key), removed);
                    }
                    else if (schema is { HasAdditionalProperties: true })
                    {
                        Prune(obj[key], schema.AdditionalProperties, FieldPath.Child(path, key), removed);
                    }
                    else
                    {
                        removed.Add(FieldPath.Child(path, key));
                        obj.Remove(key);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Prune(array[i], schema?.Items, FieldPath.Index(path, i), removed);
                }

                break;
            default:
                break;
        }
    }

    private static void PruneInsidePreserved(JsonNode? node, SchemaNode schema, string path, List<string> removed)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (schema.EmbeddedResource && MetaFields.Contains(key))
                    {
                        ObjectMetaCoercion.CoerceEmbedded(obj, key, path, removed);
                        continue;
                    }

                    if (schema.Properties.TryGetValue(key, out var property))
                    {
                        Prune(obj[key], property, FieldPath.Child(path, key), removed);
                    }
                    else if (schema.HasAdditionalProperties)
                    {
                        Prune(obj[key], schema.AdditionalProperties, FieldPath.Child(path, key), removed);
                    }
                }

                break;
            case JsonArray array when schema.Items is not null:
                for (var i = 0; i < array.Count; i++)
                {
                    PruneInsidePreserved(array[i], schema.Items, FieldPath.Index(path, i), removed);
                }

                break;
            default:
                break;
        }
    }
}
