using System.Text;
using Google.Protobuf;

namespace Drover.DevCluster.Tests.Protobuf;

/// <summary>
/// Encodes a protobuf message by hand, field by field, following the numbers in the
/// Kubernetes <c>generated.proto</c> files, so tests build the bytes a Go client sends.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly List<byte> _bytes = [];

    public ProtoWriter String(int field, string value)
    {
        return Append(o =>
        {
            o.WriteTag(field, WireFormat.WireType.LengthDelimited);
            o.WriteString(value);
        });
    }

    public ProtoWriter Bytes(int field, byte[] value)
    {
        return Append(o =>
        {
            o.WriteTag(field, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(value));
        });
    }

    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    public ProtoWriter Int64(int field, long value)
    {
        return Append(o =>
        {
            o.WriteTag(field, WireFormat.WireType.Varint);
            o.WriteInt64(value);
        });
    }

    public ProtoWriter Int32(int field, int value)
    {
        return Append(o =>
        {
            o.WriteTag(field, WireFormat.WireType.Varint);
            o.WriteInt32(value);
        });
    }

    public ProtoWriter Double(int field, double value)
    {
        return Append(o =>
        {
            o.WriteTag(field, WireFormat.WireType.Fixed64);
            o.WriteDouble(value);
        });
    }

    /// <summary>A packed repeated int32 field: one length-delimited run of varints.</summary>
    public ProtoWriter PackedInt32(int field, params int[] values)
    {
        using var run = new MemoryStream();
        using (var output = new CodedOutputStream(run, leaveOpen: true))
        {
            foreach (var value in values)
            {
                output.WriteInt32(value);
            }
        }

        return Bytes(field, run.ToArray());
    }

    public ProtoWriter Bool(int field, bool value)
    {
        return Append(o =>
        {
            o.WriteTag(field, WireFormat.WireType.Varint);
            o.WriteBool(value);
        });
    }

    /// <summary>One entry of a <c>map&lt;string, string&gt;</c>: an embedded message with key 1 and value 2.</summary>
    public ProtoWriter MapEntry(int field, string key, string value) =>
        MapEntry(field, key, Encoding.UTF8.GetBytes(value));

    /// <summary>One entry of a <c>map&lt;string, bytes&gt;</c>.</summary>
    public ProtoWriter MapEntry(int field, string key, byte[] value) =>
        Message(field, new ProtoWriter().String(1, key).Bytes(2, value));

    /// <summary>A <c>metav1.Time</c> {seconds=1, nanos=2}.</summary>
    public ProtoWriter Time(int field, DateTimeOffset time) =>
        Message(field, new ProtoWriter().Int64(1, time.ToUnixTimeSeconds()).Int32(2, time.Millisecond * 1_000_000));

    /// <summary>A <c>metav1.MicroTime</c> {seconds=1, nanos=2}.</summary>
    public ProtoWriter MicroTime(int field, DateTimeOffset time, int nanos) =>
        Message(field, new ProtoWriter().Int64(1, time.ToUnixTimeSeconds()).Int32(2, nanos));

    /// <summary>A <c>resource.Quantity</c> {string=1}.</summary>
    public ProtoWriter Quantity(int field, string value) => Message(field, new ProtoWriter().String(1, value));

    /// <summary>An <c>intstr.IntOrString</c> {type=1, intVal=2, strVal=3}, written as Go writes it (all three fields).</summary>
    public ProtoWriter IntOrString(int field, int intValue) =>
        Message(field, new ProtoWriter().Int64(1, 0).Int32(2, intValue).String(3, string.Empty));

    public ProtoWriter IntOrString(int field, string stringValue) =>
        Message(field, new ProtoWriter().Int64(1, 1).Int32(2, 0).String(3, stringValue));

    /// <summary>One entry of a map whose values are messages (such as <c>map&lt;string, Quantity&gt;</c>).</summary>
    public ProtoWriter MapEntry(int field, string key, ProtoWriter value) =>
        Message(field, new ProtoWriter().String(1, key).Message(2, value));

    public byte[] ToArray() => [.. _bytes];

    private ProtoWriter Append(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(output);
        }

        _bytes.AddRange(buffer.ToArray());
        return this;
    }

    /// <summary>
    /// A whole request body: <c>k8s\0</c> then runtime.Unknown {typeMeta=1 {apiVersion=1, kind=2},
    /// raw=2, contentEncoding=3, contentType=4}.
    /// </summary>
    public static byte[] Envelope(string apiVersion, string kind, ProtoWriter raw, string contentEncoding = "")
    {
        var unknown = new ProtoWriter()
            .Message(1, new ProtoWriter().String(1, apiVersion).String(2, kind))
            .Bytes(2, raw.ToArray());
        if (contentEncoding.Length > 0)
        {
            unknown.String(3, contentEncoding);
        }

        unknown.String(4, "application/vnd.kubernetes.protobuf");
        return [.. "k8s\0"u8.ToArray(), .. unknown.ToArray()];
    }
}
