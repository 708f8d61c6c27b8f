using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;

namespace Drover.DevCluster.Protobuf;

/// <summary>
/// Walks the fields of one protobuf message by number and reads their values, checking each
/// field's wire type matches what the table says it holds.
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable",
    Justification = "The stream reads an in-memory buffer; disposing a CodedInputStream over a byte array releases nothing.")]
internal sealed class ProtoMessageReader
{
    private readonly CodedInputStream _input;
    private readonly string _message;
    private int _field;

    public ProtoMessageReader(ByteString bytes, string message)
    {
        _input = bytes.CreateCodedInput();
        _message = message;
    }

    public WireFormat.WireType WireType { get; private set; }

    /// <summary>Moves to the next field; false at the end of the message.</summary>
    public bool Next(out int field)
    {
        var tag = _input.ReadTag();
        if (tag == 0)
        {
            field = 0;
            return false;
        }

        _field = WireFormat.GetTagFieldNumber(tag);
        WireType = WireFormat.GetTagWireType(tag);
        field = _field;
        return true;
    }

    public string ReadString()
    {
        Expect(WireFormat.WireType.LengthDelimited);
        return _input.ReadString();
    }

    public ByteString ReadBytes()
    {
        Expect(WireFormat.WireType.LengthDelimited);
        return _input.ReadBytes();
    }

    public long ReadInt64()
    {
        Expect(WireFormat.WireType.Varint);
        return _input.ReadInt64();
    }

    public int ReadInt32()
    {
        Expect(WireFormat.WireType.Varint);
        return _input.ReadInt32();
    }

    public bool ReadBool()
    {
        Expect(WireFormat.WireType.Varint);
        return _input.ReadBool();
    }

    /// <summary>Reads one scalar of <paramref name="kind"/> as written by a Go (gogo) marshaller.</summary>
    public object ReadScalar(ProtoKind kind) => kind switch
    {
        ProtoKind.String => ReadString(),
        ProtoKind.Bytes => ReadBytes(),
        ProtoKind.Bool => ReadBool(),
        ProtoKind.Int32 => ReadInt32(),
        ProtoKind.Int64 => ReadInt64(),
        ProtoKind.UInt32 => Varint(_input.ReadUInt32),
        ProtoKind.UInt64 => Varint(_input.ReadUInt64),
        ProtoKind.Double => Fixed(WireFormat.WireType.Fixed64, _input.ReadDouble),
        ProtoKind.Float => Fixed(WireFormat.WireType.Fixed32, _input.ReadFloat),
        _ => throw new FormatException($"{_message} field {_field}: {kind} is not a scalar"),
    };

    /// <summary>The values of a packed repeated numeric field (one length-delimited run of values).</summary>
    public List<object> ReadPacked(ProtoKind kind)
    {
        var run = new ProtoMessageReader(ReadBytes(), _message) { WireType = PackedWireType(kind), _field = _field };
        var values = new List<object>();
        while (!run._input.IsAtEnd)
        {
            values.Add(run.ReadScalar(kind));
        }

        return values;
    }

    /// <summary>Skips a field the table does not know, as protobuf readers must.</summary>
    public void Skip() => _input.SkipLastField();

    public static bool IsPackable(ProtoKind kind) => kind is not (ProtoKind.String or ProtoKind.Bytes or ProtoKind.Message);

    private static WireFormat.WireType PackedWireType(ProtoKind kind) => kind switch
    {
        ProtoKind.Double => WireFormat.WireType.Fixed64,
        ProtoKind.Float => WireFormat.WireType.Fixed32,
        _ => WireFormat.WireType.Varint,
    };

    private T Varint<T>(Func<T> read)
    {
        Expect(WireFormat.WireType.Varint);
        return read();
    }

    private T Fixed<T>(WireFormat.WireType wireType, Func<T> read)
    {
        Expect(wireType);
        return read();
    }

    private void Expect(WireFormat.WireType expected)
    {
        if (WireType != expected)
        {
            throw new FormatException($"{_message} field {_field}: expected wire type {expected}, found {WireType}");
        }
    }
}
