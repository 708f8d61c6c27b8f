using System.Text.Json.Nodes;

namespace Drover.ControllerRuntime.Apply;

/// <summary>Strips what the server owns from a desired object before comparing or applying it.</summary>
internal static class ServerSetFields
{
    private static readonly string[] MetadataFields =
        ["resourceVersion", "uid", "creationTimestamp", "generation", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"];

    public static JsonObject Strip(JsonObject desired)
    {
        desired.Remove("status");
        if (desired["metadata"] is JsonObject metadata)
        {
            foreach (var field in MetadataFields)
            {
                metadata.Remove(field);
            }
        }

        RemoveNulls(desired);
        return desired;
    }

    private static void RemoveNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var name in o.Where(p => p.Value is null).Select(p => p.Key).ToList())
                {
                    o.Remove(name);
                }

                foreach (var (_, value) in o)
                {
                    RemoveNulls(value);
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    RemoveNulls(item);
                }

                break;
        }
    }
}
