using System.Text.Json.Nodes;

namespace Drover.DevCluster.Patching;

/// <summary>
/// Merges an applied configuration into a live object (structured-merge-diff <c>Merge</c>): the applied side wins
/// on leaves and atomic values, granular maps merge per key, list-map and set items merge per key while keeping
/// live items that the configuration does not mention in their place.
/// </summary>
internal static class ObjectMerge
{
    public static JsonNode? Merge(JsonNode? live, JsonNode? applied, FieldSchema schema, FieldPath path)
    {
        if (live is JsonObject lo && applied is JsonObject ao && !schema.IsAtomicMap && !(lo.Count == 0 && ao.Count == 0))
        {
            var result = new JsonObject();
            foreach (var (key, value) in lo)
            {
                result[key] = ao.TryGetPropertyValue(key, out var appliedValue)
                    ? Merge(value, appliedValue, schema.Child(key), path.Append(PathElement.Field(key)))
                    : value?.DeepClone();
            }

            foreach (var (key, value) in ao)
            {
                if (!lo.ContainsKey(key))
                {
                    result[key] = value?.DeepClone();
                }
            }

            return result;
        }

        if (live is JsonArray la && applied is JsonArray aa && schema.ListType != ListType.Atomic && !(la.Count == 0 && aa.Count == 0))
        {
            return MergeList(la, aa, schema, path);
        }

        return applied?.DeepClone();
    }

    /// <summary>A port of structured-merge-diff's <c>visitListItems</c> ordering.</summary>
    private static JsonArray MergeList(JsonArray live, JsonArray applied, FieldSchema schema, FieldPath path)
    {
        var rhs = applied.Select((item, i) => ListItemKeys.ElementFor(item, schema, path, i)).ToList();
        var observedRhs = new Dictionary<PathElement, JsonNode?>();
        for (var i = 0; i < rhs.Count; i++)
        {
            if (!observedRhs.TryAdd(rhs[i], applied[i]))
            {
                throw new PatchException(422, "Invalid", $"{path}: duplicate entries for key {rhs[i]}");
            }
        }

        var lhs = live.Select((item, i) => ListItemKeys.ElementFor(item, schema, path, i)).ToList();
        var observedLhs = new Dictionary<PathElement, JsonNode?>();
        var duplicatedLhs = new HashSet<PathElement>();
        for (var i = 0; i < lhs.Count; i++)
        {
            if (!observedLhs.TryAdd(lhs[i], live[i]))
            {
                duplicatedLhs.Add(lhs[i]);
            }
        }

        var sharedOrder = new Queue<PathElement>(rhs.Where(observedLhs.ContainsKey));
        PathElement? nextShared = sharedOrder.Count > 0 ? sharedOrder.Dequeue() : null;
        var mergedRhs = new HashSet<PathElement>();
        var output = new JsonArray();

        JsonNode? MergeItem(PathElement element, JsonNode? liveItem, bool hasLive, JsonNode? appliedItem, bool hasApplied)
        {
            var itemPath = path.Append(element);
            if (!hasApplied)
            {
                return liveItem?.DeepClone();
            }

            return hasLive ? Merge(liveItem, appliedItem, schema.Items, itemPath) : appliedItem?.DeepClone();
        }

        int l = 0, r = 0;
        while (l < lhs.Count || r < rhs.Count)
        {
            if (l < lhs.Count && r < rhs.Count)
            {
                var element = lhs[l];
                if (element.Equals(rhs[r]))
                {
                    mergedRhs.Add(element);
                    output.Add(MergeItem(element, duplicatedLhs.Contains(element) ? null : observedLhs[element], !duplicatedLhs.Contains(element), observedRhs[element], true));
                    l++;
                    r++;
                    nextShared = sharedOrder.Count > 0 ? sharedOrder.Dequeue() : null;
                    continue;
                }

                if (observedRhs.ContainsKey(element) && nextShared is not null && !nextShared.Equals(element))
                {
                    l++;
                    continue;
                }
            }

            if (l < lhs.Count)
            {
                var element = lhs[l];
                if (!observedRhs.ContainsKey(element))
                {
                    output.Add(MergeItem(element, live[l], true, null, false));
                    l++;
                    continue;
                }

                if (mergedRhs.Contains(element))
                {
                    l++;
                }
            }

            if (r < rhs.Count)
            {
                var element = rhs[r];
                mergedRhs.Add(element);
                var hasLive = observedLhs.TryGetValue(element, out var liveItem) && !duplicatedLhs.Contains(element);
                output.Add(MergeItem(element, liveItem, hasLive, observedRhs[element], true));
                r++;
                if (nextShared is not null && nextShared.Equals(element))
                {
                    nextShared = sharedOrder.Count > 0 ? sharedOrder.Dequeue() : null;
                }
            }
        }

        return output;
    }
}
