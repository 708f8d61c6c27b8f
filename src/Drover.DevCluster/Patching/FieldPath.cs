namespace Drover.DevCluster.Patching;

/// <summary>A path from the object root to a field or list item, e.g. <c>.spec.template.spec.containers[name="app"].image</c>.</summary>
public sealed class FieldPath : IEquatable<FieldPath>, IComparable<FieldPath>
{
    private readonly PathElement[] _elements;
    private readonly int _hash;

    public FieldPath(IEnumerable<PathElement> elements)
    {
        _elements = [.. elements];
        var hash = default(HashCode);
        foreach (var element in _elements)
        {
            hash.Add(element);
        }

        _hash = hash.ToHashCode();
    }

    public static FieldPath Root { get; } = new([]);

    public IReadOnlyList<PathElement> Elements => _elements;

    public int Count => _elements.Length;

    /// <summary>Builds a path of plain field names, e.g. <c>FieldPath.Of("spec", "replicas")</c>.</summary>
    public static FieldPath Of(params string[] fieldNames) => new(fieldNames.Select(PathElement.Field));

    public FieldPath Append(PathElement element) => new([.. _elements, element]);

    /// <summary>Whether <paramref name="prefix"/> is this path or one of its ancestors.</summary>
    public bool StartsWith(FieldPath prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix._elements.Length > _elements.Length)
        {
            return false;
        }

        for (var i = 0; i < prefix._elements.Length; i++)
        {
            if (!_elements[i].Equals(prefix._elements[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => string.Concat(_elements.Select(e => e.ToString()));

    public bool Equals(FieldPath? other)
    {
        if (other is null || other._hash != _hash || other._elements.Length != _elements.Length)
        {
            return false;
        }

        for (var i = 0; i < _elements.Length; i++)
        {
            if (!_elements[i].Equals(other._elements[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is FieldPath other && Equals(other);

    public override int GetHashCode() => _hash;

    public int CompareTo(FieldPath? other)
    {
        if (other is null)
        {
            return 1;
        }

        for (var i = 0; i < Math.Min(_elements.Length, other._elements.Length); i++)
        {
            var c = _elements[i].CompareTo(other._elements[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return _elements.Length.CompareTo(other._elements.Length);
    }

    public static bool operator ==(FieldPath? left, FieldPath? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(FieldPath? left, FieldPath? right) => !(left == right);

    public static bool operator <(FieldPath left, FieldPath right) => left is null ? right is not null : left.CompareTo(right) < 0;

    public static bool operator <=(FieldPath left, FieldPath right) => left is null || left.CompareTo(right) <= 0;

    public static bool operator >(FieldPath left, FieldPath right) => left is not null && left.CompareTo(right) > 0;

    public static bool operator >=(FieldPath left, FieldPath right) => left is null ? right is null : left.CompareTo(right) >= 0;
}
