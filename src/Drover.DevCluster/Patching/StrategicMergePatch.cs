using System.Text.Json;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Patching;

/// <summary>
/// Strategic merge patch (<c>application/strategic-merge-patch+json</c>), a port of apimachinery's
/// <c>strategicpatch.StrategicMergePatch</c>: maps merge and <c>null</c> deletes; lists with a merge key merge by
/// key, lists with a merge strategy of scalars merge as sets, other lists are replaced; and the directives
/// <c>$patch</c>, <c>$retainKeys</c>, <c>$deleteFromPrimitiveList/…</c> and <c>$setElementOrder/…</c> are honoured.
/// Failures are 422 Invalid, like the API server's.
/// </summary>
public static class StrategicMergePatch
{
    private const string DirectiveMarker = "$patch";
    private const string RetainKeysDirective = "$retainKeys";
    private const string DeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList";
    private const string SetElementOrderPrefix = "$setElementOrder";

    /// <summary>Returns the patched copy of <paramref name="original"/>; the arguments are not modified.</summary>
    public static JsonNode Apply(JsonNode original, JsonNode patch, FieldSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (patch is not JsonObject patchObject)
        {
            throw Invalid(patch?.ToJsonString() ?? "null", "patch must be a JSON object");
        }

        var originalObject = original as JsonObject;
        try
        {
            return MergeMap(originalObject is null ? [] : (JsonObject)originalObject.DeepClone(), (JsonObject)patchObject.DeepClone(), schema);
        }
        catch (SmpError e)
        {
            throw Invalid(patchObject.ToJsonString(), e.Message);
        }
    }

    private static PatchException Invalid(string patch, string message) =>
        new(422, "Invalid", $" \"\" is invalid: patch: Invalid value: \"{patch}\": {message}", [("patch", "FieldValueInvalid", $"Invalid value: \"{patch}\": {message}")]);

    private static JsonObject MergeMap(JsonObject original, JsonObject patch, FieldSchema schema)
    {
        if (patch.TryGetPropertyValue(DirectiveMarker, out var directive))
        {
            return HandleDirectiveInMergeMap(directive, patch);
        }

        ApplyRetainKeys(original, patch);
        MergeSetElementOrderLists(original, patch, schema);

        // Deletion lists first so that the outcome does not depend on member order.
        var keys = patch.Select(p => p.Key).OrderBy(k => k.StartsWith(DeleteFromPrimitiveListPrefix + "/", StringComparison.Ordinal) ? 0 : 1).ToList();
        foreach (var patchKey in keys)
        {
            var patchValue = patch[patchKey];
            var key = patchKey;
            var isDeleteList = false;
            if (patchKey.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal))
            {
                key = ExtractKey(patchKey, DeleteFromPrimitiveListPrefix);
                isDeleteList = true;
            }

            if (JsonEquality.IsNull(patchValue))
            {
                original.Remove(key);
                continue;
            }

            if (!original.TryGetPropertyValue(key, out var originalValue) || KindOf(originalValue) != KindOf(patchValue))
            {
                if (!isDeleteList)
                {
                    SetCleaned(original, key, patchValue);
                }

                continue;
            }

            var child = schema.Child(key);
            switch (originalValue)
            {
                case JsonObject originalChild:
                    original[key] = child.ReplacesStrategically
                        ? Cleaned(patchValue)
                        : MergeMap(Detach(originalChild), (JsonObject)patchValue!.DeepClone(), child);
                    break;
                case JsonArray originalList:
                    original[key] = MergeSliceHandler(originalList, (JsonArray)patchValue!, child, isDeleteList);
                    break;
                default:
                    SetCleaned(original, key, patchValue);
                    break;
            }
        }

        return original;
    }

    private static JsonObject HandleDirectiveInMergeMap(JsonNode? directive, JsonObject patch)
    {
        switch (StringOf(directive))
        {
            case "replace":
                patch.Remove(DirectiveMarker);
                return patch;
            case "delete":
                return [];
            default:
                throw new SmpError($"Unknown patch type: {directive?.ToJsonString()} in map: {patch.ToJsonString()}");
        }
    }

    private static void ApplyRetainKeys(JsonObject original, JsonObject patch)
    {
        if (!patch.TryGetPropertyValue(RetainKeysDirective, out var retain))
        {
            return;
        }

        patch.Remove(RetainKeysDirective);
        if (retain is not JsonArray retainList)
        {
            throw new SmpError("invalid patch format of retainKeys");
        }

        var keep = retainList.Select(StringOf).Where(k => k is not null).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, value) in patch)
        {
            if (JsonEquality.IsNull(value) || key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal)
                || key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (!keep.Contains(key))
            {
                throw new SmpError("doesn't match the retainKeys list");
            }
        }

        foreach (var key in original.Select(p => p.Key).ToList())
        {
            if (!keep.Contains(key))
            {
                original.Remove(key);
            }
        }
    }

    /// <summary>
    /// Merges every list that has a <c>$setElementOrder/&lt;field&gt;</c> directive, ordering it by
    /// $setElementOrder first, then the patch, then the live list.
    /// </summary>
    private static void MergeSetElementOrderLists(JsonObject original, JsonObject patch, FieldSchema schema)
    {
        foreach (var directiveKey in patch.Select(p => p.Key).Where(k => k.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal)).ToList())
        {
            var orderNode = patch[directiveKey];
            patch.Remove(directiveKey);
            if (orderNode is not JsonArray orderArray)
            {
                throw new SmpError("invalid patch format of setElementOrder list");
            }

            var key = ExtractKey(directiveKey, SetElementOrderPrefix);
            var order = Items(orderArray);
            var foundOriginal = original.TryGetPropertyValue(key, out var originalNode);
            var foundPatch = patch.TryGetPropertyValue(key, out var patchNode);
            if (foundOriginal && originalNode is not JsonArray)
            {
                throw new SmpError($"expected a list for {key} but found {originalNode?.ToJsonString()}");
            }

            if (foundPatch && patchNode is not JsonArray)
            {
                throw new SmpError($"expected a list for {key} in the patch but found {patchNode?.ToJsonString()}");
            }

            var child = schema.Child(key);
            var mergeKey = child.PatchMergeKey ?? string.Empty;
            var originalItems = foundOriginal ? Items((JsonArray)originalNode!) : [];
            var patchItems = foundPatch ? Items((JsonArray)patchNode!) : [];
            ValidatePatchWithSetOrderList(patchItems, order, mergeKey);

            List<JsonNode?> merged;
            if (foundOriginal && !foundPatch)
            {
                merged = originalItems;
            }
            else if (!foundOriginal && foundPatch)
            {
                merged = Items((JsonArray)Cleaned(patchNode)!);
            }
            else if (foundOriginal && foundPatch)
            {
                merged = Items(MergeSliceHandler((JsonArray)originalNode!, (JsonArray)patchNode!, child, isDeleteList: false));
            }
            else
            {
                continue;
            }

            var (inOrder, serverOnly) = Partition(merged, order, mergeKey);
            var kind = ElementKind(originalItems, patchItems);
            original[key] = ToArray(NormalizeElementOrder(inOrder, serverOnly, order, originalItems, mergeKey, kind));
            patch.Remove(key);
        }
    }

    private static void ValidatePatchWithSetOrderList(List<JsonNode?> patchList, List<JsonNode?> order, string mergeKey)
    {
        if (order.Count == 0 || patchList.Count == 0)
        {
            return;
        }

        var nonDelete = mergeKey.Length > 0 ? patchList.Where(i => !IsDeleteDirective(i)).ToList() : patchList;
        int p = 0, o = 0;
        while (p < nonDelete.Count && o < order.Count)
        {
            if (HasDirective(nonDelete[p]))
            {
                p++;
                continue;
            }

            if (MergeKeyValueEqual(nonDelete[p], order[o], mergeKey))
            {
                p++;
            }

            o++;
        }

        if (p < nonDelete.Count && o >= order.Count)
        {
            throw new SmpError($"The order in patch list:\n{ToArray(patchList).ToJsonString()}\n doesn't match {SetElementOrderPrefix} list:\n{ToArray(order).ToJsonString()}\n");
        }
    }

    private static JsonArray MergeSliceHandler(JsonArray original, JsonArray patch, FieldSchema listSchema, bool isDeleteList)
    {
        if (listSchema.MergesStrategically || isDeleteList)
        {
            return ToArray(MergeSlice(Items(original), Items(patch), listSchema.Items, listSchema.PatchMergeKey ?? string.Empty, isDeleteList));
        }

        return (JsonArray)Cleaned(patch)!;
    }

    private static List<JsonNode?> MergeSlice(List<JsonNode?> original, List<JsonNode?> patch, FieldSchema itemSchema, string mergeKey, bool isDeleteList)
    {
        if (original.Count == 0 && patch.Count == 0)
        {
            return original;
        }

        var kind = ElementKind(original, patch);
        List<JsonNode?> merged;
        if (kind != JsonValueKind.Object)
        {
            if (isDeleteList)
            {
                return original.Where(item => !patch.Any(d => JsonEquality.Equal(d, item))).ToList();
            }

            merged = [];
            foreach (var item in original.Concat(patch))
            {
                if (!merged.Any(m => JsonEquality.Equal(m, item)))
                {
                    merged.Add(item);
                }
            }
        }
        else
        {
            if (mergeKey.Length == 0)
            {
                throw new SmpError("cannot merge lists without merge key");
            }

            // Like upstream, a "$patch: replace" item makes the rest of the patch the new original and the patch empty.
            (original, patch) = MergeSliceWithSpecialElements(original, patch, mergeKey);
            merged = MergeSliceWithoutSpecialElements(new List<JsonNode?>(original), patch, mergeKey, itemSchema);
        }

        var (patchItems, serverOnly) = Partition(merged, patch, kind == JsonValueKind.Object ? mergeKey : string.Empty);
        return NormalizeElementOrder(patchItems, serverOnly, patch, original, mergeKey, kind);
    }

    private static (List<JsonNode?> Original, List<JsonNode?> Patch) MergeSliceWithSpecialElements(List<JsonNode?> original, List<JsonNode?> patch, string mergeKey)
    {
        var withoutSpecial = new List<JsonNode?>();
        var replace = false;
        foreach (var item in patch)
        {
            var map = (JsonObject)item!;
            if (!map.TryGetPropertyValue(DirectiveMarker, out var directive))
            {
                withoutSpecial.Add(item);
                continue;
            }

            switch (StringOf(directive))
            {
                case "delete":
                    if (!map.TryGetPropertyValue(mergeKey, out var keyValue))
                    {
                        throw NoMergeKey(map, mergeKey);
                    }

                    original = original.Where(o => !JsonEquality.Equal((o as JsonObject)?[mergeKey], keyValue)).ToList();
                    break;
                case "replace":
                    replace = true;
                    break;
                case "merge":
                    throw new SmpError("merging lists cannot yet be specified in the patch");
                default:
                    throw new SmpError($"Unknown patch type: {directive?.ToJsonString()} in map: {map.ToJsonString()}");
            }
        }

        return replace ? (withoutSpecial, []) : (original, withoutSpecial);
    }

    private static List<JsonNode?> MergeSliceWithoutSpecialElements(List<JsonNode?> original, List<JsonNode?> patch, string mergeKey, FieldSchema itemSchema)
    {
        foreach (var item in patch)
        {
            var map = (JsonObject)item!;
            if (!map.TryGetPropertyValue(mergeKey, out var keyValue))
            {
                throw NoMergeKey(map, mergeKey);
            }

            var index = original.FindIndex(o => o is JsonObject om && om.TryGetPropertyValue(mergeKey, out var v) && JsonEquality.Equal(v, keyValue));
            if (index >= 0)
            {
                original[index] = MergeMap(Detach((JsonObject)original[index]!), (JsonObject)map.DeepClone(), itemSchema);
            }
            else
            {
                original.Add(Cleaned(map));
            }
        }

        return original;
    }

    private static (List<JsonNode?> Present, List<JsonNode?> Absent) Partition(List<JsonNode?> items, List<JsonNode?> by, string mergeKey)
    {
        var present = new List<JsonNode?>();
        var absent = new List<JsonNode?>();
        foreach (var item in items)
        {
            if (mergeKey.Length > 0 && (item is not JsonObject map || !map.ContainsKey(mergeKey)))
            {
                throw NoMergeKey(item, mergeKey);
            }

            (Index(by, item, mergeKey) >= 0 ? present : absent).Add(item);
        }

        return (present, absent);
    }

    private static List<JsonNode?> NormalizeElementOrder(List<JsonNode?> patch, List<JsonNode?> serverOnly, List<JsonNode?> patchOrder, List<JsonNode?> serverOrder, string mergeKey, JsonValueKind kind)
    {
        var key = kind == JsonValueKind.Object ? mergeKey : string.Empty;
        patch = NormalizeSliceOrder(patch, patchOrder, key, kind);
        serverOnly = NormalizeSliceOrder(serverOnly, serverOrder, key, kind);
        return MergeSortedSlice(serverOnly, patch, serverOrder, key);
    }

    private static List<JsonNode?> NormalizeSliceOrder(List<JsonNode?> toSort, List<JsonNode?> order, string mergeKey, JsonValueKind kind)
    {
        var toDelete = new List<JsonNode?>();
        if (kind == JsonValueKind.Object)
        {
            foreach (var item in toSort.Concat(order))
            {
                if (item is not JsonObject map || !map.ContainsKey(mergeKey))
                {
                    throw NoMergeKey(item, mergeKey);
                }
            }

            toDelete = toSort.Where(IsDeleteDirective).ToList();
            toSort = toSort.Where(i => !IsDeleteDirective(i)).ToList();
        }

        // Go's sort.SliceStable with the same (not strictly weak) comparator; lists here are short,
        // where Go uses exactly this insertion sort.
        bool Less(JsonNode? a, JsonNode? b)
        {
            var ia = Index(order, a, mergeKey);
            if (ia >= 0)
            {
                var ib = Index(order, b, mergeKey);
                if (ib >= 0)
                {
                    return ia < ib;
                }
            }

            return true;
        }

        var sorted = new List<JsonNode?>(toSort);
        for (var i = 1; i < sorted.Count; i++)
        {
            for (var j = i; j > 0 && Less(sorted[j], sorted[j - 1]); j--)
            {
                (sorted[j], sorted[j - 1]) = (sorted[j - 1], sorted[j]);
            }
        }

        sorted.AddRange(toDelete);
        return sorted;
    }

    private static List<JsonNode?> MergeSortedSlice(List<JsonNode?> left, List<JsonNode?> right, List<JsonNode?> serverOrder, string mergeKey)
    {
        var result = new List<JsonNode?>(left.Count + right.Count);
        int i = 0, j = 0;
        while (i < left.Count || j < right.Count)
        {
            if (i >= left.Count)
            {
                result.Add(right[j++]);
            }
            else if (j >= right.Count)
            {
                result.Add(left[i++]);
            }
            else
            {
                var li = Index(serverOrder, left[i], mergeKey);
                var ri = Index(serverOrder, right[j], mergeKey);
                result.Add(li >= 0 && ri >= 0 && li < ri ? left[i++] : right[j++]);
            }
        }

        return result;
    }

    private static int Index(List<JsonNode?> list, JsonNode? item, string mergeKey)
    {
        var value = mergeKey.Length > 0 ? (item as JsonObject)?[mergeKey] : item;
        for (var i = 0; i < list.Count; i++)
        {
            var candidate = mergeKey.Length > 0 ? (list[i] as JsonObject)?[mergeKey] : list[i];
            if (JsonEquality.Equal(candidate, value))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool MergeKeyValueEqual(JsonNode? left, JsonNode? right, string mergeKey)
    {
        if (mergeKey.Length == 0)
        {
            return JsonEquality.Equal(left, right);
        }

        if (left is not JsonObject l || !l.TryGetPropertyValue(mergeKey, out var lv))
        {
            throw NoMergeKey(left, mergeKey);
        }

        if (right is not JsonObject r || !r.TryGetPropertyValue(mergeKey, out var rv))
        {
            throw NoMergeKey(right, mergeKey);
        }

        return JsonEquality.Equal(lv, rv);
    }

    private static JsonValueKind ElementKind(List<JsonNode?> original, List<JsonNode?> patch)
    {
        JsonValueKind? kind = null;
        foreach (var item in original.Concat(patch))
        {
            var current = KindOf(item);
            if (current == JsonValueKind.Array)
            {
                throw new SmpError("lists of lists are not supported");
            }

            if (kind is not null && kind != current)
            {
                throw new SmpError("list element types are not identical");
            }

            kind = current;
        }

        return kind ?? throw new SmpError("no elements in any of the given slices");
    }

    /// <summary>Removes directives (and the maps that carry <c>$patch</c>) from a value copied in from the patch.</summary>
    private static (JsonNode? Value, bool Keep) RemoveDirectives(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject map:
                if (map.ContainsKey(DirectiveMarker))
                {
                    return (null, false);
                }

                var result = new JsonObject();
                foreach (var (key, value) in map)
                {
                    if (JsonEquality.IsNull(value))
                    {
                        // Nulls mean "delete"; with nothing to delete they are dropped (IgnoreUnmatchedNulls).
                        continue;
                    }

                    if (key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal) || key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal)
                        || key == RetainKeysDirective)
                    {
                        continue;
                    }

                    var (cleaned, keep) = RemoveDirectives(value);
                    if (keep)
                    {
                        result[key] = cleaned;
                    }
                }

                return (result, true);
            case JsonArray list:
                var array = new JsonArray();
                foreach (var item in list)
                {
                    var (cleaned, keep) = RemoveDirectives(item);
                    if (keep)
                    {
                        array.Add(cleaned);
                    }
                }

                return (array, true);
            default:
                return (node?.DeepClone(), true);
        }
    }

    private static JsonNode? Cleaned(JsonNode? node) => RemoveDirectives(node).Value;

    private static void SetCleaned(JsonObject target, string key, JsonNode? value)
    {
        var (cleaned, keep) = RemoveDirectives(value);
        if (keep)
        {
            target[key] = cleaned;
        }
        else
        {
            target.Remove(key);
        }
    }

    private static bool HasDirective(JsonNode? item) => item is JsonObject map && map.ContainsKey(DirectiveMarker);

    private static bool IsDeleteDirective(JsonNode? item) => item is JsonObject map && StringOf(map[DirectiveMarker]) == "delete";

    private static string ExtractKey(string key, string prefix)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || key[..slash] != prefix)
        {
            throw new SmpError(prefix == SetElementOrderPrefix
                ? "invalid patch format of setElementOrder list"
                : "invalid patch format of deleteFromPrimitiveList list");
        }

        return key[(slash + 1)..];
    }

    private static SmpError NoMergeKey(JsonNode? map, string mergeKey) =>
        new($"map: {map?.ToJsonString()} does not contain declared merge key: {mergeKey}");

    private static JsonValueKind KindOf(JsonNode? node) => node switch
    {
        null => JsonValueKind.Null,
        JsonObject => JsonValueKind.Object,
        JsonArray => JsonValueKind.Array,
        _ => node.GetValueKind() is JsonValueKind.False ? JsonValueKind.True : node.GetValueKind(),
    };

    private static string? StringOf(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static List<JsonNode?> Items(JsonArray array) => array.Select(i => i?.DeepClone()).ToList();

    private static JsonArray ToArray(List<JsonNode?> items)
    {
        var array = new JsonArray();
        foreach (var item in items)
        {
            array.Add(item?.Parent is null ? item : item.DeepClone());
        }

        return array;
    }

    private static JsonObject Detach(JsonObject node) => node.Parent is null ? node : (JsonObject)node.DeepClone();

    /// <summary>An SMP failure, turned into a 422 at the entry point.</summary>
    private sealed class SmpError(string message) : Exception(message);
}
