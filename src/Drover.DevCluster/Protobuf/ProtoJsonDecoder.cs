using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;

namespace Drover.DevCluster.Protobuf;

/// <summary>
/// Decodes a protobuf message into the JSON that Go's <c>encoding/json</c> writes for the same object, driven
/// by the field tables in <see cref="KubeProtoTables"/>. A Go client always writes every non-pointer field, so
/// the result matches what the client would have sent as JSON: fields in struct order, <c>omitempty</c> and
/// <c>omitzero</c> honoured, absent structs written as their zero value, and the special types
/// (Time, Quantity, IntOrString, ...) in their JSON forms.
/// </summary>
internal static class ProtoJsonDecoder
{
    /// <summary>Go's zero <c>time.Time</c> (year 1) in Unix seconds: a Time holding it marshals as null.</summary>
    private const long GoZeroTimeSeconds = -62135596800;

    /// <summary>Bounds recursion on hostile input (JSON schemas nest; nothing legitimate comes close).</summary>
    private const int MaxDepth = 100;

    public static JsonNode? Decode(int message, ByteString bytes) => Decode(KubeProtoTables.Messages[message], bytes, 0);

    public static JsonNode? Decode(ProtoMessage message, ByteString bytes) => Decode(message, bytes, 0);

    private static JsonNode? Decode(ProtoMessage message, ByteString bytes, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException($"{message.Name}: messages nested more than {MaxDepth} deep");
        }

        return message.Form switch
        {
            ProtoJsonForm.Struct => DecodeStruct(message, bytes, depth),
            ProtoJsonForm.Time => DecodeTime(message, bytes, micro: false),
            ProtoJsonForm.MicroTime => DecodeTime(message, bytes, micro: true),
            ProtoJsonForm.Duration => DecodeDuration(message, bytes),
            ProtoJsonForm.Quantity => DecodeQuantity(message, bytes),
            ProtoJsonForm.IntOrString => DecodeIntOrString(message, bytes),
            ProtoJsonForm.RawExtension => DecodeRawExtension(message, bytes),
            ProtoJsonForm.RawJson => DecodeRawJson(message, bytes),
            ProtoJsonForm.SchemaOrBool or ProtoJsonForm.SchemaOrArray or ProtoJsonForm.SchemaOrStringArray => DecodeSchemaUnion(message, bytes, depth),
            _ => throw new InvalidOperationException($"{message.Name}: unknown JSON form {message.Form}"),
        };
    }

    private static JsonObject DecodeStruct(ProtoMessage message, ByteString bytes, int depth)
    {
        var fields = message.Fields;
        var values = new JsonNode?[fields.Count];
        var present = new bool[fields.Count];

        // A singular message field that appears twice merges, as protobuf defines; decoding the
        // concatenation of its occurrences does exactly that.
        var embedded = new List<ByteString>?[fields.Count];
        var reader = new ProtoMessageReader(bytes, message.Name);
        while (reader.Next(out var number))
        {
            var i = message.IndexOf(number);
            if (i < 0)
            {
                reader.Skip();
                continue;
            }

            var field = fields[i];
            present[i] = true;
            if (field.Is(ProtoFieldFlags.Map))
            {
                var map = (JsonObject)(values[i] ??= new JsonObject());
                var (key, value) = ReadMapEntry(reader, message, field, depth);
                map[key] = value;
            }
            else if (field.Is(ProtoFieldFlags.Repeated))
            {
                var array = (JsonArray)(values[i] ??= new JsonArray());
                if (ProtoMessageReader.IsPackable(field.Kind) && reader.WireType == WireFormat.WireType.LengthDelimited)
                {
                    foreach (var item in reader.ReadPacked(field.Kind))
                    {
                        array.Add(Scalar(field.Kind, item));
                    }
                }
                else
                {
                    array.Add(ReadValue(reader, field, depth));
                }
            }
            else if (field.Kind == ProtoKind.Message)
            {
                (embedded[i] ??= []).Add(reader.ReadBytes());
            }
            else
            {
                values[i] = Scalar(field.Kind, reader.ReadScalar(field.Kind));
            }
        }

        var result = new JsonObject();
        for (var i = 0; i < fields.Count; i++)
        {
            var field = fields[i];
            if (embedded[i] is { } parts)
            {
                values[i] = Decode(KubeProtoTables.Messages[field.Message], Concat(parts), depth + 1);
            }

            if (field.Is(ProtoFieldFlags.Inline))
            {
                var inlined = present[i] ? values[i] as JsonObject : ZeroValue(field) as JsonObject;
                foreach (var (name, value) in inlined?.ToList() ?? [])
                {
                    inlined!.Remove(name);
                    result[name] = value;
                }

                continue;
            }

            if (!present[i])
            {
                // Go leaves an absent field at its zero value, then json.Marshal writes that.
                if (IsNilable(field))
                {
                    if (!field.Is(ProtoFieldFlags.OmitEmpty) && !field.Is(ProtoFieldFlags.OmitZero))
                    {
                        result[field.JsonName] = null;
                    }

                    continue;
                }

                values[i] = ZeroValue(field);
            }

            if (Omitted(field, values[i]))
            {
                continue;
            }

            result[field.JsonName] = values[i];
        }

        return result;
    }

    private static JsonNode? ReadValue(ProtoMessageReader reader, ProtoField field, int depth) =>
        field.Kind == ProtoKind.Message
            ? Decode(KubeProtoTables.Messages[field.Message], reader.ReadBytes(), depth + 1)
            : Scalar(field.Kind, reader.ReadScalar(field.Kind));

    /// <summary>A map entry is an embedded message with the key as field 1 and the value as field 2.</summary>
    private static (string Key, JsonNode? Value) ReadMapEntry(ProtoMessageReader reader, ProtoMessage message, ProtoField field, int depth)
    {
        var entry = new ProtoMessageReader(reader.ReadBytes(), $"{message.Name}.{field.JsonName} entry");
        var key = string.Empty;
        JsonNode? value = null;
        var hasValue = false;
        while (entry.Next(out var number))
        {
            switch (number)
            {
                case 1:
                    key = entry.ReadString();
                    break;
                case 2:
                    value = ReadValue(entry, field, depth);
                    hasValue = true;
                    break;
                default:
                    entry.Skip();
                    break;
            }
        }

        return (key, hasValue ? value : ZeroOfKind(field));
    }

    private static JsonValue Scalar(ProtoKind kind, object value) => value switch
    {
        string s => JsonValue.Create(s),
        ByteString b => JsonValue.Create(b.ToBase64()),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        uint u => JsonValue.Create(u),
        ulong u => JsonValue.Create(u),
        double d when double.IsFinite(d) => JsonValue.Create(d),
        float f when float.IsFinite(f) => JsonValue.Create(f),
        double or float => throw new FormatException($"{value} has no JSON form"),
        _ => throw new InvalidOperationException($"unexpected {kind} value {value}"),
    };

    /// <summary>Slices, maps, pointers and byte slices are nil when absent; everything else has a zero value.</summary>
    private static bool IsNilable(ProtoField field) =>
        field.Is(ProtoFieldFlags.Pointer) || field.Is(ProtoFieldFlags.Repeated) || field.Is(ProtoFieldFlags.Map) || field.Kind == ProtoKind.Bytes;

    /// <summary>Go's <c>omitempty</c> (never for structs) and <c>omitzero</c> rules for a field that has a value.</summary>
    private static bool Omitted(ProtoField field, JsonNode? value)
    {
        if (field.Is(ProtoFieldFlags.OmitZero) && IsZero(field, value))
        {
            return true;
        }

        if (!field.Is(ProtoFieldFlags.OmitEmpty) || field.Is(ProtoFieldFlags.Pointer))
        {
            return false;
        }

        return value switch
        {
            JsonArray array => array.Count == 0,
            JsonObject map when field.Is(ProtoFieldFlags.Map) => map.Count == 0,
            _ when field.Kind == ProtoKind.Message => false,
            JsonValue v when v.TryGetValue<string>(out var s) => s.Length == 0,
            JsonValue v when v.TryGetValue<bool>(out var b) => !b,
            JsonValue v => v.ToJsonString() is "0" or "0.0",
            _ => value is null,
        };
    }

    private static bool IsZero(ProtoField field, JsonNode? value) =>
        value is null || JsonNode.DeepEquals(value, ZeroValue(field));

    /// <summary>What json.Marshal writes for a field's Go zero value.</summary>
    private static JsonNode? ZeroValue(ProtoField field) =>
        IsNilable(field) ? null : ZeroOfKind(field);

    private static JsonNode? ZeroOfKind(ProtoField field) => field.Kind switch
    {
        ProtoKind.String => JsonValue.Create(string.Empty),
        ProtoKind.Bool => JsonValue.Create(false),
        ProtoKind.Bytes => null,
        ProtoKind.Double or ProtoKind.Float => JsonValue.Create(0.0),
        ProtoKind.Message => ZeroMessage(KubeProtoTables.Messages[field.Message]),
        _ => JsonValue.Create(0),
    };

    private static JsonNode? ZeroMessage(ProtoMessage message) => message.Form switch
    {
        ProtoJsonForm.Struct => DecodeStruct(message, ByteString.Empty, 0),
        ProtoJsonForm.Duration => JsonValue.Create("0s"),
        ProtoJsonForm.Quantity => JsonValue.Create("0"),
        ProtoJsonForm.IntOrString => JsonValue.Create(0),
        ProtoJsonForm.SchemaOrBool => JsonValue.Create(false),
        _ => null,
    };

    private static JsonNode? DecodeTime(ProtoMessage message, ByteString bytes, bool micro)
    {
        if (bytes.IsEmpty)
        {
            return null;
        }

        long seconds = 0;
        var nanos = 0;
        var reader = new ProtoMessageReader(bytes, message.Name);
        var secondsField = message.NumberOf("seconds");
        var nanosField = message.NumberOf("nanos");
        while (reader.Next(out var number))
        {
            if (number == secondsField)
            {
                seconds = reader.ReadInt64();
            }
            else if (number == nanosField)
            {
                nanos = reader.ReadInt32();
            }
            else
            {
                reader.Skip();
            }
        }

        if (seconds == GoZeroTimeSeconds && (!micro || nanos / 1000 == 0))
        {
            return null;
        }

        try
        {
            var time = DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime;
            if (!micro)
            {
                // metav1.Time keeps whole seconds only, in protobuf as in JSON.
                return time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            }

            return time.AddTicks(nanos / 100 / 10 * 10).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new FormatException($"{message.Name}: {seconds} seconds is out of range", e);
        }
    }

    private static JsonNode DecodeDuration(ProtoMessage message, ByteString bytes)
    {
        long nanoseconds = 0;
        var reader = new ProtoMessageReader(bytes, message.Name);
        var durationField = message.NumberOf("duration");
        while (reader.Next(out var number))
        {
            if (number == durationField)
            {
                nanoseconds = reader.ReadInt64();
            }
            else
            {
                reader.Skip();
            }
        }

        return GoDuration.Format(nanoseconds);
    }

    private static JsonNode DecodeQuantity(ProtoMessage message, ByteString bytes)
    {
        var text = string.Empty;
        var reader = new ProtoMessageReader(bytes, message.Name);
        var stringField = message.NumberOf("string");
        while (reader.Next(out var number))
        {
            if (number == stringField)
            {
                text = reader.ReadString();
            }
            else
            {
                reader.Skip();
            }
        }

        // A zero Quantity writes "0"; any other text is kept as the client wrote it, as a JSON body keeps it.
        return text.Length == 0 ? "0" : text;
    }

    private static JsonNode DecodeIntOrString(ProtoMessage message, ByteString bytes)
    {
        long type = 0;
        var intVal = 0;
        var strVal = string.Empty;
        var reader = new ProtoMessageReader(bytes, message.Name);
        var (typeField, intField, stringField) = (message.NumberOf("type"), message.NumberOf("intVal"), message.NumberOf("strVal"));
        while (reader.Next(out var number))
        {
            if (number == typeField)
            {
                type = reader.ReadInt64();
            }
            else if (number == intField)
            {
                intVal = reader.ReadInt32();
            }
            else if (number == stringField)
            {
                strVal = reader.ReadString();
            }
            else
            {
                reader.Skip();
            }
        }

        return type switch
        {
            0 => intVal,
            1 => strVal,
            _ => throw new FormatException($"{message.Name}: type {type} is neither Int (0) nor String (1)"),
        };
    }

    private static JsonNode? DecodeRawExtension(ProtoMessage message, ByteString bytes)
    {
        var raw = RawBytes(message, bytes);
        if (raw is null)
        {
            return null;
        }

        // A typed client encodes an embedded object with its own codec, so it may itself be a protobuf object.
        return raw.Span.StartsWith(KubeProtobuf.Magic) ? KubeProtobuf.Decode(raw.Span) : ParseJson(message, raw);
    }

    private static JsonNode? DecodeRawJson(ProtoMessage message, ByteString bytes)
    {
        var raw = RawBytes(message, bytes);
        return raw is null || raw.IsEmpty ? null : ParseJson(message, raw);
    }

    private static ByteString? RawBytes(ProtoMessage message, ByteString bytes)
    {
        ByteString? raw = null;
        var reader = new ProtoMessageReader(bytes, message.Name);
        var rawField = message.Fields[0].Number;
        while (reader.Next(out var number))
        {
            if (number == rawField)
            {
                raw = reader.ReadBytes();
            }
            else
            {
                reader.Skip();
            }
        }

        return raw;
    }

    private static JsonNode? ParseJson(ProtoMessage message, ByteString raw)
    {
        try
        {
            return JsonNode.Parse(raw.Span);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{message.Name}: raw is not JSON: {Encoding.UTF8.GetString(raw.Span)}", e);
        }
    }

    /// <summary>The apiextensions unions, each written by its own MarshalJSON: a schema, or a bool or array.</summary>
    private static JsonNode? DecodeSchemaUnion(ProtoMessage message, ByteString bytes, int depth)
    {
        var schemaField = message.Fields.First(f => f.JsonName == "schema");
        JsonNode? schema = null;
        var allows = false;
        var items = new JsonArray();
        var reader = new ProtoMessageReader(bytes, message.Name);
        while (reader.Next(out var number))
        {
            var i = message.IndexOf(number);
            if (i < 0)
            {
                reader.Skip();
                continue;
            }

            var field = message.Fields[i];
            if (field.Number == schemaField.Number)
            {
                schema = ReadValue(reader, field, depth);
            }
            else if (field.Is(ProtoFieldFlags.Repeated))
            {
                items.Add(ReadValue(reader, field, depth));
            }
            else
            {
                allows = reader.ReadBool();
            }
        }

        return message.Form switch
        {
            ProtoJsonForm.SchemaOrBool => schema ?? JsonValue.Create(allows),
            _ => items.Count > 0 ? items : schema,
        };
    }

    private static ByteString Concat(List<ByteString> parts)
    {
        if (parts.Count == 1)
        {
            return parts[0];
        }

        using var buffer = new MemoryStream();
        foreach (var part in parts)
        {
            buffer.Write(part.Span);
        }

        return ByteString.CopyFrom(buffer.ToArray());
    }
}
