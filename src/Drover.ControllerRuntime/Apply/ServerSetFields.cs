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
                // Most bodies come from a serializer that leaves nulls out: find one before building a list to remove it.
                List<string>? nulls = null;
                foreach (var (name, value) in o)
                {
                    if (value is null)
                    {
                        (nulls ??= []).Add(name);
                    }
                    else
                    {
                        RemoveNulls(value);
                    }
                }

                foreach (var name in nulls ?? [])
                {
                    o.Remove(name);
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
