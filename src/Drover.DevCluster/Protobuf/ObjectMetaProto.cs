using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Protobuf;

/// <summary>
/// Decodes <c>k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta</c> to the JSON the Go
/// types would marshal: fields in struct order, empty values omitted, and
/// <c>creationTimestamp</c> always present (null when zero).
/// </summary>
internal static class ObjectMetaProto
{
    public static JsonObject Decode(ProtoMessageReader reader)
    {
        string? name = null, generateName = null, ns = null, selfLink = null, uid = null, resourceVersion = null;
        long generation = 0;
        long? deletionGracePeriodSeconds = null;
        string? creationTimestamp = null, deletionTimestamp = null;
        var labels = new JsonObject();
        var annotations = new JsonObject();
        var ownerReferences = new JsonArray();
        var finalizers = new JsonArray();
        var managedFields = new JsonArray();

        while (reader.Next(out var field))
        {
            switch (field)
            {
                case 1: name = reader.ReadString(); break;
                case 2: generateName = reader.ReadString(); break;
                case 3: ns = reader.ReadString(); break;
                case 4: selfLink = reader.ReadString(); break;
                case 5: uid = reader.ReadString(); break;
                case 6: resourceVersion = reader.ReadString(); break;
                case 7: generation = reader.ReadInt64(); break;
                case 8: creationTimestamp = ReadTime(reader.ReadMessage("Time")); break;
                case 9: deletionTimestamp = ReadTime(reader.ReadMessage("Time")); break;
                case 10: deletionGracePeriodSeconds = reader.ReadInt64(); break;
                case 11: AddStringEntry(labels, reader); break;
                case 12: AddStringEntry(annotations, reader); break;
                case 13: ownerReferences.Add(ReadOwnerReference(reader.ReadMessage("OwnerReference"))); break;
                case 14: finalizers.Add(reader.ReadString()); break;
                case 17: managedFields.Add(ReadManagedFieldsEntry(reader.ReadMessage("ManagedFieldsEntry"))); break;
                default: reader.Skip(); break;
            }
        }

        var meta = new JsonObject();
        AddIfNotEmpty(meta, "name", name);
        AddIfNotEmpty(meta, "generateName", generateName);
        AddIfNotEmpty(meta, "namespace", ns);
        AddIfNotEmpty(meta, "selfLink", selfLink);
        AddIfNotEmpty(meta, "uid", uid);
        AddIfNotEmpty(meta, "resourceVersion", resourceVersion);
        if (generation != 0)
        {
            meta["generation"] = generation;
        }

        meta["creationTimestamp"] = creationTimestamp;
        if (deletionTimestamp is not null)
        {
            meta["deletionTimestamp"] = deletionTimestamp;
        }

        if (deletionGracePeriodSeconds is { } grace)
        {
            meta["deletionGracePeriodSeconds"] = grace;
        }

        AddIfNotEmpty(meta, "labels", labels);
        AddIfNotEmpty(meta, "annotations", annotations);
        AddIfNotEmpty(meta, "ownerReferences", ownerReferences);
        AddIfNotEmpty(meta, "finalizers", finalizers);
        AddIfNotEmpty(meta, "managedFields", managedFields);
        return meta;
    }

    /// <summary>
    /// A <c>metav1.Time</c> as RFC 3339 in UTC, seconds precision (as the Go type reads it:
    /// it drops nanos); null for the zero time, which Go writes as an empty message.
    /// </summary>
    private static string? ReadTime(ProtoMessageReader reader)
    {
        long seconds = 0;
        var any = false;
        while (reader.Next(out var field))
        {
            any = true;
            switch (field)
            {
                case 1: seconds = reader.ReadInt64(); break;
                case 2: reader.ReadInt32(); break;
                default: reader.Skip(); break;
            }
        }

        if (!any)
        {
            return null;
        }

        try
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new FormatException($"Time: {seconds} seconds is out of range", e);
        }
    }

    private static JsonObject ReadOwnerReference(ProtoMessageReader reader)
    {
        string? apiVersion = null, kind = null, name = null, uid = null;
        bool? controller = null, blockOwnerDeletion = null;
        while (reader.Next(out var field))
        {
            switch (field)
            {
                case 1: kind = reader.ReadString(); break;
                case 3: name = reader.ReadString(); break;
                case 4: uid = reader.ReadString(); break;
                case 5: apiVersion = reader.ReadString(); break;
                case 6: controller = reader.ReadBool(); break;
                case 7: blockOwnerDeletion = reader.ReadBool(); break;
                default: reader.Skip(); break;
            }
        }

        // apiVersion, kind, name and uid have no omitempty in the Go type.
        var reference = new JsonObject
        {
            ["apiVersion"] = apiVersion ?? "",
            ["kind"] = kind ?? "",
            ["name"] = name ?? "",
            ["uid"] = uid ?? "",
        };
        if (controller is { } c)
        {
            reference["controller"] = c;
        }

        if (blockOwnerDeletion is { } b)
        {
            reference["blockOwnerDeletion"] = b;
        }

        return reference;
    }

    private static JsonObject ReadManagedFieldsEntry(ProtoMessageReader reader)
    {
        string? manager = null, operation = null, apiVersion = null, time = null, fieldsType = null, subresource = null;
        JsonNode? fieldsV1 = null;
        while (reader.Next(out var field))
        {
            switch (field)
            {
                case 1: manager = reader.ReadString(); break;
                case 2: operation = reader.ReadString(); break;
                case 3: apiVersion = reader.ReadString(); break;
                case 4: time = ReadTime(reader.ReadMessage("Time")); break;
                case 6: fieldsType = reader.ReadString(); break;
                case 7: fieldsV1 = ReadFieldsV1(reader.ReadMessage("FieldsV1")); break;
                case 8: subresource = reader.ReadString(); break;
                default: reader.Skip(); break;
            }
        }

        var entry = new JsonObject();
        AddIfNotEmpty(entry, "manager", manager);
        AddIfNotEmpty(entry, "operation", operation);
        AddIfNotEmpty(entry, "apiVersion", apiVersion);
        AddIfNotEmpty(entry, "time", time);
        AddIfNotEmpty(entry, "fieldsType", fieldsType);
        if (fieldsV1 is not null)
        {
            entry["fieldsV1"] = fieldsV1;
        }

        AddIfNotEmpty(entry, "subresource", subresource);
        return entry;
    }

    /// <summary><c>FieldsV1.Raw</c> holds the field set as JSON text.</summary>
    private static JsonNode? ReadFieldsV1(ProtoMessageReader reader)
    {
        JsonNode? raw = null;
        while (reader.Next(out var field))
        {
            if (field != 1)
            {
                reader.Skip();
                continue;
            }

            var bytes = reader.ReadBytes();
            try
            {
                raw = bytes.IsEmpty ? null : JsonNode.Parse(bytes.Span);
            }
            catch (JsonException e)
            {
                throw new FormatException($"FieldsV1.Raw is not JSON: {Encoding.UTF8.GetString(bytes.Span)}", e);
            }
        }

        return raw;
    }

    /// <summary>Adds one <c>map&lt;string, string&gt;</c> entry; a repeated key keeps its last value, as protobuf merges maps.</summary>
    internal static void AddStringEntry(JsonObject map, ProtoMessageReader reader)
    {
        var (key, value) = reader.ReadMapEntry();
        map[key] = value.ToStringUtf8();
    }

    internal static void AddIfNotEmpty(JsonObject obj, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            obj[name] = value;
        }
    }

    internal static void AddIfNotEmpty(JsonObject obj, string name, JsonObject value)
    {
        if (value.Count > 0)
        {
            obj[name] = value;
        }
    }

    internal static void AddIfNotEmpty(JsonObject obj, string name, JsonArray value)
    {
        if (value.Count > 0)
        {
            obj[name] = value;
        }
    }
}
