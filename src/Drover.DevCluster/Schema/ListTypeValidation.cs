using System.Text.Json.Nodes;

namespace Drover.DevCluster.Schema;

/// <summary>
/// Uniqueness of <c>x-kubernetes-list-type: set</c> items and of <c>map</c> keys, as
/// apiextensions' listtype validation reports it: one <c>FieldValueDuplicate</c> per
/// repeated value, at the index of its second occurrence.
/// </summary>
internal static class ListTypeValidation
{
    public static void Validate(JsonArray array, SchemaNode schema, string path, List<FieldError> errors)
    {
        switch (schema.ListType)
        {
            case "set":
                foreach (var index in SecondOccurrences(array.Select(GoValueFormat.SortedJson).ToList()))
                {
                    errors.Add(Duplicate(FieldPath.Index(path, index), GoValueFormat.BadValue(array[index])));
                }

                break;
            case "map":
                ValidateMap(array, schema, path, errors);
                break;
            default:
                break;
        }
    }

    private static void ValidateMap(JsonArray array, SchemaNode schema, string path, List<FieldError> errors)
    {
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not null and not JsonObject)
            {
                errors.Add(new FieldError(FieldPath.Index(path, i), FieldErrorReasons.Invalid,
                    $"Invalid value: {GoValueFormat.BadValue(array[i])}: must be an object for an array of list-type map"));
                return;
            }
        }

        var keys = array.Select(item =>
        {
            var key = new JsonObject();
            if (item is JsonObject obj)
            {
                foreach (var keyField in schema.ListMapKeys)
                {
                    if (obj.TryGetPropertyValue(keyField, out var keyValue))
                    {
                        key[keyField] = keyValue?.DeepClone();
                    }
                }
            }

            return key;
        }).ToList();

        foreach (var index in SecondOccurrences(keys.Select(GoValueFormat.SortedJson).ToList()))
        {
            errors.Add(Duplicate(FieldPath.Index(path, index), GoValueFormat.SortedJson(keys[index])));
        }
    }

    /// <summary>The index where each value is seen for the second time (later repeats are not reported again).</summary>
    private static List<int> SecondOccurrences(List<string> canonical)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new List<int>();
        for (var i = 0; i < canonical.Count; i++)
        {
            counts.TryGetValue(canonical[i], out var seen);
            counts[canonical[i]] = seen + 1;
            if (seen == 1)
            {
                result.Add(i);
            }
        }

        return result;
    }

    private static FieldError Duplicate(string field, string badValue) =>
        new(field, FieldErrorReasons.Duplicate, $"Duplicate value: {badValue}");
}
