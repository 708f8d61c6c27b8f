using System.Text.Json;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Schema;

/// <summary>
/// Applies <c>default</c>s as apiextensions' defaulting algorithm does: a property is
/// filled when absent or a non-nullable <c>null</c>, and nested defaults only apply inside
/// objects that exist once their own parent has been defaulted. Non-nullable nulls that
/// have no default are then removed, as the apiserver does right after defaulting.
/// </summary>
internal static class SchemaDefaulter
{
    public static void Default(JsonNode? node, SchemaNode? schema)
    {
        if (schema is null)
        {
            return;
        }

        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, property) in schema.Properties)
                {
                    if (property.Default is null)
                    {
                        continue;
                    }

                    if (!obj.TryGetPropertyValue(name, out var current) || IsNonNullableNull(current, property))
                    {
                        obj[name] = property.Default.DeepClone();
                    }
                }

                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (schema.Properties.TryGetValue(key, out var property))
                    {
                        Default(obj[key], property);
                    }
                    else if (schema.AdditionalProperties is { } additional)
                    {
                        if (IsNonNullableNull(obj[key], additional) && additional.Default is not null)
                        {
                            obj[key] = additional.Default.DeepClone();
                        }

                        Default(obj[key], additional);
                    }
                }

                break;
            case JsonArray array when schema.Items is { } items:
                for (var i = 0; i < array.Count; i++)
                {
                    if (IsNonNullableNull(array[i], items) && items.Default is not null)
                    {
                        array[i] = items.Default.DeepClone();
                    }

                    Default(array[i], items);
                }

                break;
            default:
                break;
        }
    }

    /// <summary>Removes <c>null</c>s the schema neither allows nor can default.</summary>
    public static void RemoveNonNullableNulls(JsonNode? node, SchemaNode? schema)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    var fieldSchema = SchemaForField(schema, key);
                    var value = obj[key];
                    if (fieldSchema is not null && IsNonNullableNull(value, fieldSchema) && fieldSchema.Default is null)
                    {
                        obj.Remove(key);
                    }
                    else
                    {
                        RemoveNonNullableNulls(value, fieldSchema);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    RemoveNonNullableNulls(item, schema?.Items);
                }

                break;
            default:
                break;
        }
    }

    private static SchemaNode? SchemaForField(SchemaNode? schema, string key) =>
        schema is null ? null
        : schema.Properties.TryGetValue(key, out var property) ? property
        : schema.AdditionalProperties;

    private static bool IsNonNullableNull(JsonNode? value, SchemaNode schema) =>
        (value is null || value.GetValueKind() == JsonValueKind.Null) && !schema.Nullable;
}
