using System.Text.Json.Nodes;

namespace Drover.DevCluster.Patching;

/// <summary>RFC 7386 JSON Merge Patch (<c>application/merge-patch+json</c>): objects merge, <c>null</c> deletes, everything else replaces.</summary>
public static class MergePatch
{
    /// <summary>Returns the patched document; neither argument is modified.</summary>
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : [];
        foreach (var (key, value) in patchObject)
        {
            if (JsonEquality.IsNull(value))
            {
                result.Remove(key);
                continue;
            }

            result.TryGetPropertyValue(key, out var existing);
            var merged = Apply(existing, value);
            result[key] = merged;
        }

        return result;
    }
}
