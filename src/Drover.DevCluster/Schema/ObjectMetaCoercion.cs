using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Schema;

/// <summary>
/// Coerces the <c>metadata</c> of a resource (the root, or an embedded resource) to
/// <c>ObjectMeta</c>, as apiextensions does by round-tripping it through the Go type:
/// unknown fields and malformed values disappear, and so do empty values that Go's
/// <c>omitempty</c> would not write back.
/// </summary>
internal static class ObjectMetaCoercion
{
    private enum FieldShape
    {
        String,
        Integer,
        Timestamp,
        StringMap,
        StringList,
        OwnerReferences,
        ManagedFields,
    }

    private static readonly Dictionary<string, FieldShape> ObjectMetaFields = new(StringComparer.Ordinal)
    {
        ["name"] = FieldShape.String,
        ["generateName"] = FieldShape.String,
        ["namespace"] = FieldShape.String,
        ["selfLink"] = FieldShape.String,
        ["uid"] = FieldShape.String,
        ["resourceVersion"] = FieldShape.String,
        ["generation"] = FieldShape.Integer,
        ["creationTimestamp"] = FieldShape.Timestamp,
        ["deletionTimestamp"] = FieldShape.Timestamp,
        ["deletionGracePeriodSeconds"] = FieldShape.Integer,
        ["labels"] = FieldShape.StringMap,
        ["annotations"] = FieldShape.StringMap,
        ["ownerReferences"] = FieldShape.OwnerReferences,
        ["finalizers"] = FieldShape.StringList,
        ["managedFields"] = FieldShape.ManagedFields,
    };

    private static readonly HashSet<string> OwnerReferenceStrings = new(StringComparer.Ordinal) { "apiVersion", "kind", "name", "uid" };
    private static readonly HashSet<string> OwnerReferenceBools = new(StringComparer.Ordinal) { "controller", "blockOwnerDeletion" };
    private static readonly HashSet<string> ManagedFieldsStrings = new(StringComparer.Ordinal) { "manager", "operation", "apiVersion", "fieldsType", "subresource" };

    /// <summary>Handles one of apiVersion, kind or metadata of a resource object.</summary>
    public static void CoerceEmbedded(JsonObject resource, string key, string path, List<string> removed)
    {
        var value = resource[key];
        if (key != "metadata")
        {
            // apiVersion and kind must be strings; anything else cannot decode and is dropped.
            if (value?.GetValueKind() != JsonValueKind.String)
            {
                resource.Remove(key);
            }

            return;
        }

        if (value is not JsonObject metadata)
        {
            resource.Remove(key);
            return;
        }

        var metadataPath = FieldPath.Child(path, "metadata");
        foreach (var field in metadata.Select(p => p.Key).ToList())
        {
            if (!ObjectMetaFields.TryGetValue(field, out var shape))
            {
                removed.Add(FieldPath.Child(metadataPath, field));
                metadata.Remove(field);
                continue;
            }

            if (!IsKept(metadata[field], shape, FieldPath.Child(metadataPath, field), removed))
            {
                metadata.Remove(field);
            }
        }
    }

    /// <summary>
    /// Whether the value survives the round trip through the Go type (after its unknown
    /// nested fields are dropped); false when it cannot decode or Go would not write it back.
    /// </summary>
    private static bool IsKept(JsonNode? value, FieldShape shape, string path, List<string> removed) => shape switch
    {
        FieldShape.String => IsString(value) && value!.GetValue<string>().Length > 0,
        FieldShape.Integer => IsNonZeroInteger(value),
        FieldShape.Timestamp => IsString(value) && IsTimestamp(value!.GetValue<string>()),
        FieldShape.StringMap => value is JsonObject map && map.Count > 0 && map.All(p => IsString(p.Value)),
        FieldShape.StringList => value is JsonArray list && list.Count > 0 && list.All(IsString),
        FieldShape.OwnerReferences => IsObjectListKept(value, path, removed, CoerceOwnerReference),
        FieldShape.ManagedFields => IsObjectListKept(value, path, removed, CoerceManagedFieldsEntry),
        _ => false,
    };

    private static bool IsNonZeroInteger(JsonNode? value) =>
        value?.GetValueKind() == JsonValueKind.Number
        && long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
        && number != 0;

    private static bool IsObjectListKept(JsonNode? value, string path, List<string> removed, Func<JsonObject, string, List<string>, bool> coerceItem)
    {
        if (value is not JsonArray list || list.Count == 0)
        {
            return false;
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonObject item || !coerceItem(item, FieldPath.Index(path, i), removed))
            {
                return false;
            }
        }

        return true;
    }

    private static bool CoerceOwnerReference(JsonObject reference, string path, List<string> removed)
    {
        foreach (var field in reference.Select(p => p.Key).ToList())
        {
            var value = reference[field];
            if (OwnerReferenceStrings.Contains(field))
            {
                if (!IsString(value))
                {
                    return false;
                }
            }
            else if (OwnerReferenceBools.Contains(field))
            {
                if (value?.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                {
                    return false;
                }
            }
            else
            {
                removed.Add(FieldPath.Child(path, field));
                reference.Remove(field);
            }
        }

        return true;
    }

    private static bool CoerceManagedFieldsEntry(JsonObject entry, string path, List<string> removed)
    {
        foreach (var field in entry.Select(p => p.Key).ToList())
        {
            var value = entry[field];
            var ok = field switch
            {
                "time" => IsString(value) && IsTimestamp(value!.GetValue<string>()),
                "fieldsV1" => value is JsonObject,
                _ when ManagedFieldsStrings.Contains(field) => IsString(value),
                _ => true,
            };
            if (!ok)
            {
                return false;
            }

            if (field != "time" && field != "fieldsV1" && !ManagedFieldsStrings.Contains(field))
            {
                removed.Add(FieldPath.Child(path, field));
                entry.Remove(field);
            }
        }

        return true;
    }

    private static bool IsString(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String;

    private static bool IsTimestamp(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _);
}
