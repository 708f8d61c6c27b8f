namespace Drover.DevCluster.Protobuf;

/// <summary>The protobuf type of a field's values (for a map, of its values; keys are always strings).</summary>
internal enum ProtoKind : byte
{
    String,
    Bool,
    Bytes,
    Int32,
    Int64,
    UInt32,
    UInt64,
    Double,
    Float,
    Message,
}

/// <summary>The Go shape of a field, which decides how <c>encoding/json</c> writes it.</summary>
[Flags]
internal enum ProtoFieldFlags : byte
{
    None = 0,
    Repeated = 1,
    Map = 2,

    /// <summary><c>omitempty</c>: false, 0, "", empty slices and maps, and nil pointers are left out (structs never are).</summary>
    OmitEmpty = 4,

    /// <summary><c>omitzero</c>: the zero value is left out, structs included.</summary>
    OmitZero = 8,

    /// <summary>A Go pointer: present when set, even to a zero value; absent when nil.</summary>
    Pointer = 16,

    /// <summary>An embedded struct tagged <c>json:",inline"</c>: its fields join the parent's.</summary>
    Inline = 32,
}

/// <summary>How a message's Go type writes itself as JSON.</summary>
internal enum ProtoJsonForm : byte
{
    /// <summary>A plain struct: an object of its tagged fields.</summary>
    Struct,

    /// <summary><c>metav1.Time</c>: RFC 3339 in UTC to the second, null when zero.</summary>
    Time,

    /// <summary><c>metav1.MicroTime</c>: RFC 3339 in UTC to the microsecond, null when zero.</summary>
    MicroTime,

    /// <summary><c>metav1.Duration</c>: Go's duration text, such as <c>1h0m0s</c>.</summary>
    Duration,

    /// <summary><c>resource.Quantity</c>: its string.</summary>
    Quantity,

    /// <summary><c>intstr.IntOrString</c>: a number or a string.</summary>
    IntOrString,

    /// <summary><c>runtime.RawExtension</c>: the embedded object (raw JSON, or a nested protobuf object).</summary>
    RawExtension,

    /// <summary><c>metav1.FieldsV1</c> and apiextensions <c>JSON</c>: raw JSON bytes, null when empty.</summary>
    RawJson,

    /// <summary>A JSON schema or a boolean (<c>additionalProperties</c>).</summary>
    SchemaOrBool,

    /// <summary>A JSON schema or an array of them (<c>items</c>).</summary>
    SchemaOrArray,

    /// <summary>A JSON schema or an array of strings (<c>dependencies</c>).</summary>
    SchemaOrStringArray,
}

/// <summary>One field: its number in <c>generated.proto</c>, its JSON name and Go shape.</summary>
internal readonly record struct ProtoField(int Number, string JsonName, ProtoKind Kind, int Message, ProtoFieldFlags Flags)
{
    public bool Is(ProtoFieldFlags flag) => (Flags & flag) != 0;
}

/// <summary>One message's table, fields in Go struct order (the order JSON writes them).</summary>
internal sealed class ProtoMessage
{
    private readonly int[] _byNumber;

    public ProtoMessage(string name, ProtoJsonForm form, ProtoField[] fields)
    {
        Name = name;
        Form = form;
        Fields = fields;
        _byNumber = new int[fields.Length == 0 ? 1 : fields.Max(f => f.Number) + 1];
        Array.Fill(_byNumber, -1);
        for (var i = 0; i < fields.Length; i++)
        {
            _byNumber[fields[i].Number] = i;
        }
    }

    public string Name { get; }

    public ProtoJsonForm Form { get; }

    public IReadOnlyList<ProtoField> Fields { get; }

    /// <summary>The index into <see cref="Fields"/> of a field number, or -1 for a field this table does not know.</summary>
    public int IndexOf(int number) => number < _byNumber.Length ? _byNumber[number] : -1;

    /// <summary>A field of a hand-marshalled message by its proto name, so decoders never hard-code numbers.</summary>
    public int NumberOf(string protoName) =>
        Fields.FirstOrDefault(f => f.JsonName == protoName) is { JsonName: not null } field
            ? field.Number
            : throw new InvalidOperationException($"{Name} has no field {protoName}");
}
