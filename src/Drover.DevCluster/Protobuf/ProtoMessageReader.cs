using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;

namespace Drover.DevCluster.Protobuf;

/// <summary>
/// Walks the fields of one protobuf message by number. There is no protoc here, and the
/// few Kubernetes messages we read are small, so each decoder switches on field numbers
/// from <c>generated.proto</c> and this reader checks the wire type matches.
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable",
    Justification = "The stream reads an in-memory buffer; disposing a CodedInputStream over a byte array releases nothing.")]
internal sealed class ProtoMessageReader
{
    private readonly CodedInputStream _input;
    private readonly string _message;
    private WireFormat.WireType _wireType;
    private int _field;

    public ProtoMessageReader(ByteString bytes, string message)
    {
        _input = bytes.CreateCodedInput();
        _message = message;
    }

    public ProtoMessageReader(byte[] bytes, string message)
    {
        _input = new CodedInputStream(bytes);
        _message = message;
    }

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
        _wireType = WireFormat.GetTagWireType(tag);
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

    public ProtoMessageReader ReadMessage(string message) => new(ReadBytes(), message);

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

    /// <summary>Skips a field this decoder does not know, as protobuf readers must.</summary>
    public void Skip() => _input.SkipLastField();

    /// <summary>Reads one entry of a <c>map&lt;string, V&gt;</c> field (an embedded message with key 1 and value 2).</summary>
    public (string Key, ByteString Value) ReadMapEntry()
    {
        var entry = ReadMessage($"{_message} map entry");
        var key = "";
        var value = ByteString.Empty;
        while (entry.Next(out var field))
        {
            switch (field)
            {
                case 1: key = entry.ReadString(); break;
                case 2: value = entry.ReadBytes(); break;
                default: entry.Skip(); break;
            }
        }

        return (key, value);
    }

    private void Expect(WireFormat.WireType expected)
    {
        if (_wireType != expected)
        {
            throw new FormatException($"{_message} field {_field}: expected wire type {expected}, found {_wireType}");
        }
    }
}
