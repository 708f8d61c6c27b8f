using System.Text.Json.Nodes;

namespace Drover.DevCluster.Patching;

/// <summary>
/// A set of owned field paths, as one managedFields entry holds them, with the FieldsV1 encoding:
/// <c>{"f:spec":{"f:replicas":{}}}</c>, where <c>"."</c> marks a node that is itself owned and has children.
/// </summary>
public sealed class FieldSet
{
    private readonly HashSet<FieldPath> _paths;

    public FieldSet()
    {
        _paths = [];
    }

    public FieldSet(IEnumerable<FieldPath> paths)
    {
        _paths = [.. paths];
    }

    public int Count => _paths.Count;

    public bool IsEmpty => _paths.Count == 0;

    /// <summary>The paths in structured-merge-diff order.</summary>
    public IReadOnlyList<FieldPath> Paths => [.. _paths.Order()];

    public void Insert(FieldPath path) => _paths.Add(path);

    public bool Has(FieldPath path) => _paths.Contains(path);

    public bool Remove(FieldPath path) => _paths.Remove(path);

    /// <summary>Whether the set holds <paramref name="path"/> or any path below it.</summary>
    public bool HasPathOrDescendant(FieldPath path) => _paths.Any(p => p.StartsWith(path));

    public FieldSet Union(FieldSet other) => new(_paths.Concat(other._paths));

    public FieldSet Difference(FieldSet other) => new(_paths.Where(p => !other._paths.Contains(p)));

    public FieldSet Intersection(FieldSet other) => new(_paths.Where(other._paths.Contains));

    /// <summary>The paths under <paramref name="element"/>, relative to it (the element's own path excluded).</summary>
    public FieldSet Below(PathElement element) =>
        new(_paths.Where(p => p.Count > 1 && p.Elements[0].Equals(element)).Select(p => new FieldPath(p.Elements.Skip(1))));

    public bool SetEquals(FieldSet other) => _paths.SetEquals(other._paths);

    /// <summary>Encodes the set as a FieldsV1 object, members in structured-merge-diff order.</summary>
    public JsonObject ToFieldsV1() => Encode(_paths.Select(p => p.Elements).ToList(), depth: 0, includeSelf: false);

    public static FieldSet FromFieldsV1(JsonObject fieldsV1)
    {
        ArgumentNullException.ThrowIfNull(fieldsV1);
        var set = new FieldSet();
        Decode(fieldsV1, [], set);
        return set;
    }

    public override string ToString() => string.Join("\n", Paths.Select(p => p.ToString()));

    private static JsonObject Encode(List<IReadOnlyList<PathElement>> paths, int depth, bool includeSelf)
    {
        var result = new JsonObject();
        if (includeSelf)
        {
            result["."] = new JsonObject();
        }

        var groups = paths.Where(p => p.Count > depth).GroupBy(p => p[depth]).OrderBy(g => g.Key);
        foreach (var group in groups)
        {
            var members = group.ToList();
            var isMember = members.Any(p => p.Count == depth + 1);
            var children = members.Where(p => p.Count > depth + 1).ToList();
            result[group.Key.Encoded] = children.Count == 0 ? new JsonObject() : Encode(children, depth + 1, isMember);
        }

        return result;
    }

    private static void Decode(JsonObject node, List<PathElement> prefix, FieldSet set)
    {
        foreach (var (name, child) in node)
        {
            if (name == ".")
            {
                if (prefix.Count > 0)
                {
                    set.Insert(new FieldPath(prefix));
                }

                continue;
            }

            var element = PathElement.Parse(name);
            prefix.Add(element);
            if (child is not JsonObject childObject || childObject.Count == 0)
            {
                set.Insert(new FieldPath(prefix));
            }
            else
            {
                Decode(childObject, prefix, set);
            }

            prefix.RemoveAt(prefix.Count - 1);
        }
    }
}
