using System.Text.Json.Nodes;

namespace Drover.ControllerRuntime.Apply;

/// <summary>Computes an RFC 7386 merge patch that turns one JSON document into another (removed fields become null).</summary>
public static class JsonMergePatch
{
    public static JsonNode? Create(JsonNode? from, JsonNode? to)
    {
        if (from is not JsonObject fromObject || to is not JsonObject toObject)
        {
            return to?.DeepClone();
        }

        var patch = new JsonObject();
        foreach (var (name, value) in fromObject)
        {
            if (!toObject.ContainsKey(name) && value is not null)
            {
                patch[name] = null;
            }
        }

        foreach (var (name, value) in toObject)
        {
            fromObject.TryGetPropertyValue(name, out var old);
            if (JsonNode.DeepEquals(old, value))
            {
                continue;
            }

            patch[name] = value is JsonObject && old is JsonObject ? Create(old, value) : value?.DeepClone();
        }

        return patch;
    }
}
