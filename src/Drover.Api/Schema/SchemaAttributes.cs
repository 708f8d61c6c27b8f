namespace Drover.Api.Schema;

// These attributes carry the parts of a CRD schema that XML docs and C# types cannot express.
// They are inert at run time: only the CRD generator reads them.

/// <summary>Marks a property the API server must receive (listed under <c>required</c> in the CRD schema).</summary>
/// <remarks>Deliberately not <c>JsonRequired</c>: a missing field must not make deserialisation of a whole list fail.</remarks>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RequiredAttribute : Attribute;

/// <summary>Restricts a string property, or the items of a string list, to the given values.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class EnumAttribute(params string[] values) : Attribute
{
    /// <summary>The allowed values, in the order they are documented.</summary>
    public IReadOnlyList<string> Values { get; } = values;
}

/// <summary>A regular expression (ECMA 262, as the API server evaluates it) a string property must match.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PatternAttribute(string pattern) : Attribute
{
    /// <summary>The regular expression.</summary>
    public string Pattern { get; } = pattern;
}

/// <summary>The smallest value an integer property accepts.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MinimumAttribute(long value) : Attribute
{
    /// <summary>The inclusive lower bound.</summary>
    public long Value { get; } = value;
}

/// <summary>The largest value an integer property accepts.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MaximumAttribute(long value) : Attribute
{
    /// <summary>The inclusive upper bound.</summary>
    public long Value { get; } = value;
}

/// <summary>The shortest string a property accepts.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MinLengthAttribute(int value) : Attribute
{
    /// <summary>The inclusive lower bound on the length.</summary>
    public int Value { get; } = value;
}

/// <summary>
/// The fewest fields an object property must set (<c>minProperties</c>): "at least one of these", in a form both
/// the API server and the dev cluster enforce. Name the fields in the property's documentation, since the server's
/// message does not.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MinPropertiesAttribute(int value) : Attribute
{
    /// <summary>The inclusive lower bound on the number of fields set.</summary>
    public int Value { get; } = value;
}

/// <summary>The value the API server fills in when the property is absent (a scalar: string, integer or boolean).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DefaultAttribute : Attribute
{
    /// <summary>Defaults a string property.</summary>
    public DefaultAttribute(string value) => Value = value;

    /// <summary>Defaults an integer property.</summary>
    public DefaultAttribute(long value) => Value = value;

    /// <summary>Defaults a boolean property.</summary>
    public DefaultAttribute(bool value) => Value = value;

    /// <summary>The default value.</summary>
    public object Value { get; }
}

/// <summary>
/// Declares a list whose items are identified by the given keys
/// (<c>x-kubernetes-list-type: map</c>), so server-side apply merges entries instead of replacing the list.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ListMapAttribute(params string[] keys) : Attribute
{
    /// <summary>The item properties that together identify an entry.</summary>
    public IReadOnlyList<string> Keys { get; } = keys;
}

/// <summary>Declares a list of unique scalars (<c>x-kubernetes-list-type: set</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ListSetAttribute : Attribute;

/// <summary>Keeps fields the schema does not describe (<c>x-kubernetes-preserve-unknown-fields</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PreserveUnknownFieldsAttribute : Attribute;
