using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Patching;

/// <summary>Reads and writes <c>metadata.managedFields</c>.</summary>
internal static class ManagedFieldsCodec
{
    /// <summary>
    /// Paths never recorded as owned (apimachinery <c>stripmeta.go</c>): identity and server-set metadata, so that
    /// no manager can "remove" them.
    /// </summary>
    private static readonly FieldSet Stripped = new(
    [
        FieldPath.Of("apiVersion"),
        FieldPath.Of("kind"),
        FieldPath.Of("metadata"),
        FieldPath.Of("metadata", "name"),
        FieldPath.Of("metadata", "namespace"),
        FieldPath.Of("metadata", "creationTimestamp"),
        FieldPath.Of("metadata", "selfLink"),
        FieldPath.Of("metadata", "uid"),
        FieldPath.Of("metadata", "clusterName"),
        FieldPath.Of("metadata", "generation"),
        FieldPath.Of("metadata", "managedFields"),
        FieldPath.Of("metadata", "resourceVersion"),
    ]);

    public static FieldSet Strip(FieldSet set) => set.Difference(Stripped);

    public static JsonNode? Read(JsonObject? obj) => (obj?["metadata"] as JsonObject)?["managedFields"];

    /// <summary>Decodes entries; malformed ones are dropped rather than failing the write.</summary>
    public static Dictionary<ManagerIdentity, ManagerEntry> Decode(JsonNode? managedFields)
    {
        var entries = new Dictionary<ManagerIdentity, ManagerEntry>();
        if (managedFields is not JsonArray array)
        {
            return entries;
        }

        foreach (var item in array)
        {
            if (item is not JsonObject entry
                || Text(entry["manager"]) is not { } manager
                || Text(entry["operation"]) is not ("Apply" or "Update")
                || Text(entry["apiVersion"]) is not { Length: > 0 } apiVersion
                || Text(entry["fieldsType"]) != "FieldsV1")
            {
                continue;
            }

            FieldSet fields;
            try
            {
                fields = entry["fieldsV1"] is JsonObject fieldsV1 ? FieldSet.FromFieldsV1(fieldsV1) : new FieldSet();
            }
            catch (Exception e) when (e is FormatException or JsonException)
            {
                continue;
            }

            var subresource = Text(entry["subresource"]);
            var identity = Text(entry["operation"]) == "Apply"
                ? ManagerIdentity.Apply(manager, subresource)
                : ManagerIdentity.Update(manager, apiVersion, subresource);
            entries[identity] = new ManagerEntry(identity, apiVersion, Text(entry["time"]), fields);
        }

        return entries;
    }

    /// <summary>Encodes entries in the API server's order: Apply before Update, then by time, manager, apiVersion, subresource.</summary>
    public static JsonArray Encode(IEnumerable<ManagerEntry> entries)
    {
        var array = new JsonArray();
        var ordered = entries
            .Where(e => !e.Fields.IsEmpty)
            .OrderBy(e => e.Identity.Operation, StringComparer.Ordinal)
            .ThenBy(e => Seconds(e.Time))
            .ThenBy(e => e.Identity.Manager, StringComparer.Ordinal)
            .ThenBy(e => e.ApiVersion, StringComparer.Ordinal)
            .ThenBy(e => e.Identity.Subresource ?? string.Empty, StringComparer.Ordinal);
        foreach (var entry in ordered)
        {
            var json = new JsonObject
            {
                ["manager"] = entry.Identity.Manager,
                ["operation"] = entry.Identity.Operation,
                ["apiVersion"] = entry.ApiVersion,
            };
            if (entry.Time is not null)
            {
                json["time"] = entry.Time;
            }

            json["fieldsType"] = "FieldsV1";
            json["fieldsV1"] = entry.Fields.ToFieldsV1();
            if (entry.Identity.Subresource is not null)
            {
                json["subresource"] = entry.Identity.Subresource;
            }

            array.Add(json);
        }

        return array;
    }

    /// <summary>Whether two decoded sets of entries say the same thing (times aside).</summary>
    public static bool SameOwnership(Dictionary<ManagerIdentity, ManagerEntry> left, Dictionary<ManagerIdentity, ManagerEntry> right)
    {
        var l = left.Values.Where(e => !e.Fields.IsEmpty).ToList();
        var r = right.Values.Where(e => !e.Fields.IsEmpty).ToDictionary(e => e.Identity);
        return l.Count == r.Count && l.All(e => r.TryGetValue(e.Identity, out var other) && other.ApiVersion == e.ApiVersion && other.Fields.SetEquals(e.Fields));
    }

    /// <summary>RFC 3339 in UTC with seconds precision, as <c>metav1.Time</c> serialises.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Returns a copy of <paramref name="obj"/> without <c>metadata.managedFields</c>.</summary>
    public static JsonObject WithoutManagedFields(JsonObject? obj)
    {
        var copy = obj is null ? [] : (JsonObject)obj.DeepClone();
        (copy["metadata"] as JsonObject)?.Remove("managedFields");
        return copy;
    }

    /// <summary>Sets or removes <c>metadata.managedFields</c>, keeping its place among the metadata members.</summary>
    public static void Write(JsonObject obj, JsonNode? managedFields)
    {
        var empty = managedFields is null || (managedFields is JsonArray a && a.Count == 0);
        if (obj["metadata"] is not JsonObject metadata)
        {
            if (empty)
            {
                return;
            }

            metadata = [];
            obj["metadata"] = metadata;
        }

        if (empty)
        {
            metadata.Remove("managedFields");
        }
        else
        {
            metadata["managedFields"] = managedFields;
        }
    }

    private static long Seconds(string? time) =>
        time is not null && DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed.ToUnixTimeSeconds()
            : 0;

    private static string? Text(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
