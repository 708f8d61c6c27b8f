using System.Text.Json.Nodes;

namespace Drover.ControllerRuntime.Apply;

/// <summary>
/// "Does the live object already say everything the desired one says?" Every field present in the desired tree must
/// be present in the live tree with an equal value; objects compare field by field (extra live fields, e.g. server
/// defaults, are fine), lists compare item by item and must have the same length, and an empty desired map or list
/// matches an absent one. This is what lets a steady state skip server-side apply and make zero writes.
/// </summary>
public static class JsonSubset
{
    public static bool IsSubsetOf(JsonNode? desired, JsonNode? live)
    {
        switch (desired)
        {
            case null:
                return true;
            case JsonObject desiredObject:
                if (live is not JsonObject liveObject)
                {
                    return live is null && IsEmpty(desiredObject);
                }

                foreach (var (name, value) in desiredObject)
                {
                    if (value is null)
                    {
                        continue;
                    }

                    if (!liveObject.TryGetPropertyValue(name, out var liveValue) || liveValue is null)
                    {
                        if (!IsEmpty(value))
                        {
                            return false;
                        }

                        continue;
                    }

                    if (!IsSubsetOf(value, liveValue))
                    {
                        return false;
                    }
                }

                return true;
            case JsonArray desiredArray:
                if (live is not JsonArray liveArray)
                {
                    return live is null && desiredArray.Count == 0;
                }

                if (liveArray.Count != desiredArray.Count)
                {
                    return false;
                }

                for (var i = 0; i < desiredArray.Count; i++)
                {
                    if (!IsSubsetOf(desiredArray[i], liveArray[i]))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return live is JsonValue && JsonNode.DeepEquals(desired, live);
        }
    }

    /// <summary>An empty map or list (recursively) says nothing, so it cannot differ from an absent field.</summary>
    private static bool IsEmpty(JsonNode? node) => node switch
    {
        null => true,
        JsonObject o => o.All(p => IsEmpty(p.Value)),
        JsonArray a => a.Count == 0,
        _ => false,
    };
}
