using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Patching;

/// <summary>
/// One step of a field path, as structured-merge-diff names it: a field (<c>f:name</c>), a list-map item by its
/// keys (<c>k:{"name":"app"}</c>), a set item by value (<c>v:"x"</c>) or a list index (<c>i:0</c>).
/// Equality is by the FieldsV1 encoding; ordering follows structured-merge-diff (fields, keys, values, indexes).
/// </summary>
public sealed class PathElement : IEquatable<PathElement>, IComparable<PathElement>
{
    private PathElement(string encoded, string? fieldName, IReadOnlyList<KeyValuePair<string, JsonNode?>>? key, JsonNode? value, int? index)
    {
        Encoded = encoded;
        FieldName = fieldName;
        Key = key;
        Value = value;
        Index = index;
    }

    public string? FieldName { get; }

    /// <summary>Key fields sorted by name.</summary>
    public IReadOnlyList<KeyValuePair<string, JsonNode?>>? Key { get; }

    public JsonNode? Value { get; }

    public int? Index { get; }

    /// <summary>The FieldsV1 member name: <c>f:</c>, <c>k:</c>, <c>v:</c> or <c>i:</c> plus the payload.</summary>
    public string Encoded { get; }

    private int Rank => FieldName is not null ? 0 : Key is not null ? 1 : Value is not null || Encoded.StartsWith("v:", StringComparison.Ordinal) ? 2 : 3;

    public static PathElement Field(string name) => new("f:" + name, name, null, null, null);

    public static PathElement ListKey(IEnumerable<KeyValuePair<string, JsonNode?>> fields)
    {
        var sorted = fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => new KeyValuePair<string, JsonNode?>(f.Key, f.Value?.DeepClone())).ToList();
        var builder = new StringBuilder("k:{");
        for (var i = 0; i < sorted.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            GoJson.WriteString(builder, sorted[i].Key);
            builder.Append(':');
            GoJson.Write(builder, sorted[i].Value);
        }

        builder.Append('}');
        return new PathElement(builder.ToString(), null, sorted, null, null);
    }

    public static PathElement SetValue(JsonNode? value) => new("v:" + GoJson.Serialize(value), null, null, value?.DeepClone(), null);

    public static PathElement ListIndex(int index) => new("i:" + index.ToString(CultureInfo.InvariantCulture), null, null, null, index);

    /// <summary>Parses a FieldsV1 member name such as <c>f:spec</c> or <c>k:{"name":"app"}</c>.</summary>
    public static PathElement Parse(string encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        if (encoded.Length < 2 || encoded[1] != ':')
        {
            throw new FormatException($"invalid path element {encoded}");
        }

        var payload = encoded[2..];
        switch (encoded[0])
        {
            case 'f':
                return Field(payload);
            case 'k':
                if (JsonNode.Parse(payload) is not JsonObject keyObject)
                {
                    throw new FormatException($"invalid key path element {encoded}");
                }

                return ListKey(keyObject.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value)));
            case 'v':
                return SetValue(JsonNode.Parse(payload));
            case 'i':
                return ListIndex(int.Parse(payload, NumberStyles.None, CultureInfo.InvariantCulture));
            default:
                throw new FormatException($"invalid path element {encoded}");
        }
    }

    /// <summary>The structured-merge-diff path syntax: <c>.name</c>, <c>[name="app"]</c>, <c>[=value]</c>, <c>[3]</c>.</summary>
    public override string ToString()
    {
        if (FieldName is not null)
        {
            return "." + FieldName;
        }

        if (Key is not null)
        {
            return "[" + string.Join(",", Key.Select(k => k.Key + "=" + GoJson.ToPathString(k.Value))) + "]";
        }

        if (Index is not null)
        {
            return "[" + Index.Value.ToString(CultureInfo.InvariantCulture) + "]";
        }

        return "[=" + GoJson.ToPathString(Value) + "]";
    }

    public bool Equals(PathElement? other) => other is not null && string.Equals(Encoded, other.Encoded, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is PathElement other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Encoded);

    public int CompareTo(PathElement? other)
    {
        if (other is null)
        {
            return 1;
        }

        var rank = Rank.CompareTo(other.Rank);
        if (rank != 0)
        {
            return rank;
        }

        switch (Rank)
        {
            case 0:
                return string.CompareOrdinal(FieldName, other.FieldName);
            case 1:
                for (var i = 0; ; i++)
                {
                    if (i >= Key!.Count && i >= other.Key!.Count)
                    {
                        return 0;
                    }

                    if (i >= Key.Count)
                    {
                        return -1;
                    }

                    if (i >= other.Key!.Count)
                    {
                        return 1;
                    }

                    var byName = string.CompareOrdinal(Key[i].Key, other.Key[i].Key);
                    if (byName != 0)
                    {
                        return byName;
                    }

                    var byValue = CompareValues(Key[i].Value, other.Key[i].Value);
                    if (byValue != 0)
                    {
                        return byValue;
                    }
                }

            case 2:
                return CompareValues(Value, other.Value);
            default:
                return Index!.Value.CompareTo(other.Index!.Value);
        }
    }

    public static bool operator ==(PathElement? left, PathElement? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(PathElement? left, PathElement? right) => !(left == right);

    public static bool operator <(PathElement left, PathElement right) => Compare(left, right) < 0;

    public static bool operator <=(PathElement left, PathElement right) => Compare(left, right) <= 0;

    public static bool operator >(PathElement left, PathElement right) => Compare(left, right) > 0;

    public static bool operator >=(PathElement left, PathElement right) => Compare(left, right) >= 0;

    private static int Compare(PathElement left, PathElement right) => left is null ? (right is null ? 0 : -1) : left.CompareTo(right);

    /// <summary>structured-merge-diff's total order: numbers, strings, booleans, lists, maps, null.</summary>
    private static int CompareValues(JsonNode? left, JsonNode? right)
    {
        var lr = ValueRank(left);
        var rr = ValueRank(right);
        if (lr != rr)
        {
            return lr.CompareTo(rr);
        }

        return lr switch
        {
            0 => double.Parse(left!.ToJsonString(), CultureInfo.InvariantCulture).CompareTo(double.Parse(right!.ToJsonString(), CultureInfo.InvariantCulture)),
            1 => string.CompareOrdinal(left!.GetValue<string>(), right!.GetValue<string>()),
            2 => (left!.GetValueKind() == JsonValueKind.True).CompareTo(right!.GetValueKind() == JsonValueKind.True),
            5 => 0,
            _ => string.CompareOrdinal(GoJson.Serialize(left), GoJson.Serialize(right)),
        };
    }

    private static int ValueRank(JsonNode? node) => node switch
    {
        null => 5,
        JsonArray => 3,
        JsonObject => 4,
        _ => node.GetValueKind() switch
        {
            JsonValueKind.Number => 0,
            JsonValueKind.String => 1,
            JsonValueKind.True or JsonValueKind.False => 2,
            _ => 5,
        },
    };
}
