using System.Text.Json.Nodes;
using Drover.DevCluster.Resources;

namespace Drover.DevCluster.Events;

/// <summary>
/// events.k8s.io/v1 Events are core/v1 Events, stored once in core form, as on a real server. The conversion follows
/// k8s.io/kubernetes pkg/apis/events/v1/conversion.go: regarding is involvedObject, note is message,
/// deprecatedSource/FirstTimestamp/LastTimestamp/Count are source/firstTimestamp/lastTimestamp/count, and
/// reportingController is stored as reportingComponent; the other fields share their names. Each side is written in
/// its Go type's field order with the fields Go always writes (<c>eventTime: null</c>, <c>source: {}</c>, ...).
/// </summary>
internal static class EventConversion
{
    public static StorageView CoreEvents { get; } = new()
    {
        StorageGroup = string.Empty,
        StoragePlural = "events",
        ToStorage = ToCore,
        FromStorage = ToEventsV1,
    };

    public static JsonObject ToCore(JsonObject events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var core = new JsonObject { ["kind"] = "Event", ["apiVersion"] = "v1" };
        Copy(events, "metadata", core, "metadata");
        core["involvedObject"] = Clone(events["regarding"]) ?? new JsonObject();
        CopyNonEmpty(events, "reason", core, "reason");
        CopyNonEmpty(events, "note", core, "message");
        core["source"] = Clone(events["deprecatedSource"]) ?? new JsonObject();
        core["firstTimestamp"] = Clone(events["deprecatedFirstTimestamp"]);
        core["lastTimestamp"] = Clone(events["deprecatedLastTimestamp"]);
        CopyNonEmpty(events, "deprecatedCount", core, "count");
        CopyNonEmpty(events, "type", core, "type");
        core["eventTime"] = Clone(events["eventTime"]);
        CopyNonEmpty(events, "series", core, "series");
        CopyNonEmpty(events, "action", core, "action");
        CopyNonEmpty(events, "related", core, "related");
        core["reportingComponent"] = Clone(events["reportingController"]) ?? string.Empty;
        core["reportingInstance"] = Clone(events["reportingInstance"]) ?? string.Empty;
        return core;
    }

    public static JsonObject ToEventsV1(JsonObject core)
    {
        ArgumentNullException.ThrowIfNull(core);
        var events = new JsonObject { ["kind"] = "Event", ["apiVersion"] = "events.k8s.io/v1" };
        Copy(core, "metadata", events, "metadata");
        events["eventTime"] = Clone(core["eventTime"]);
        CopyNonEmpty(core, "series", events, "series");
        CopyNonEmpty(core, "reportingComponent", events, "reportingController");
        CopyNonEmpty(core, "reportingInstance", events, "reportingInstance");
        CopyNonEmpty(core, "action", events, "action");
        CopyNonEmpty(core, "reason", events, "reason");
        events["regarding"] = Clone(core["involvedObject"]) ?? new JsonObject();
        CopyNonEmpty(core, "related", events, "related");
        CopyNonEmpty(core, "message", events, "note");
        CopyNonEmpty(core, "type", events, "type");
        events["deprecatedSource"] = Clone(core["source"]) ?? new JsonObject();
        events["deprecatedFirstTimestamp"] = Clone(core["firstTimestamp"]);
        events["deprecatedLastTimestamp"] = Clone(core["lastTimestamp"]);
        CopyNonEmpty(core, "count", events, "deprecatedCount");
        return events;
    }

    private static JsonNode? Clone(JsonNode? node) => node?.DeepClone();

    private static void Copy(JsonObject from, string name, JsonObject to, string target)
    {
        if (from[name] is { } value)
        {
            to[target] = value.DeepClone();
        }
    }

    /// <summary>Copies a field Go writes with omitempty: left out when missing, empty or zero.</summary>
    private static void CopyNonEmpty(JsonObject from, string name, JsonObject to, string target)
    {
        var value = from[name];
        if (value is null || (value is JsonValue v && v.ToJsonString() is "\"\"" or "0"))
        {
            return;
        }

        to[target] = value.DeepClone();
    }
}
