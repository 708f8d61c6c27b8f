using System.Text.Json.Nodes;

namespace Drover.DevCluster.Patching;

/// <summary>
/// Which fields a write added, modified or removed (structured-merge-diff <c>Compare</c>). Leaves and atomic values
/// are modified when their value changes; added and removed subtrees list every path inside them.
/// </summary>
internal sealed class ObjectComparison
{
    private ObjectComparison()
    {
    }

    public FieldSet Added { get; } = new();

    public FieldSet Modified { get; } = new();

    public FieldSet Removed { get; } = new();

    public bool IsSame => Added.IsEmpty && Modified.IsEmpty && Removed.IsEmpty;

    public static ObjectComparison Between(JsonNode? before, JsonNode? after, FieldSchema schema)
    {
        var comparison = new ObjectComparison();
        comparison.Compare(before, true, after, true, schema, FieldPath.Root);
        return comparison;
    }

    private void Compare(JsonNode? left, bool hasLeft, JsonNode? right, bool hasRight, FieldSchema schema, FieldPath path)
    {
        var leftShape = Shape(left, hasLeft);
        var rightShape = Shape(right, hasRight);
        if (leftShape != Kind.Absent && rightShape != Kind.Absent && leftShape != rightShape)
        {
            // A change of type: the old children go, the node itself is modified.
            Compare(left, true, null, false, schema, path);
            Removed.Remove(path);
            Compare(null, false, right, true, schema, path);
            Added.Remove(path);
            Modified.Insert(path);
            return;
        }

        var shape = leftShape == Kind.Absent ? rightShape : leftShape;
        var isLeaf = shape switch
        {
            Kind.Object => schema.IsAtomicMap || (IsEmpty(left) && IsEmpty(right)),
            Kind.Array => schema.ListType == ListType.Atomic || (IsEmpty(left) && IsEmpty(right)),
            _ => true,
        };

        if (isLeaf)
        {
            if (!hasLeft)
            {
                Added.Insert(path);
            }
            else if (!hasRight)
            {
                Removed.Insert(path);
            }
            else if (!JsonEquality.Equal(left, right))
            {
                Modified.Insert(path);
            }

            return;
        }

        if (shape == Kind.Object)
        {
            var lo = left as JsonObject;
            var ro = right as JsonObject;
            var keys = (lo?.Select(p => p.Key) ?? []).Concat(ro?.Select(p => p.Key) ?? []).Distinct(StringComparer.Ordinal);
            foreach (var key in keys)
            {
                JsonNode? lv = null;
                JsonNode? rv = null;
                var hl = lo is not null && lo.TryGetPropertyValue(key, out lv);
                var hr = ro is not null && ro.TryGetPropertyValue(key, out rv);
                Compare(lv, hl, rv, hr, schema.Child(key), path.Append(PathElement.Field(key)));
            }
        }
        else
        {
            var leftItems = Index(left as JsonArray, schema, path);
            var rightItems = Index(right as JsonArray, schema, path);
            foreach (var element in leftItems.Keys.Concat(rightItems.Keys).Distinct())
            {
                var hl = leftItems.TryGetValue(element, out var lv);
                var hr = rightItems.TryGetValue(element, out var rv);
                Compare(lv, hl, rv, hr, schema.Items, path.Append(element));
            }
        }

        if (!hasLeft)
        {
            Added.Insert(path);
        }
        else if (!hasRight)
        {
            Removed.Insert(path);
        }
    }

    private static Dictionary<PathElement, JsonNode?> Index(JsonArray? array, FieldSchema schema, FieldPath path)
    {
        var items = new Dictionary<PathElement, JsonNode?>();
        if (array is null)
        {
            return items;
        }

        for (var i = 0; i < array.Count; i++)
        {
            items.TryAdd(ListItemKeys.ElementFor(array[i], schema, path, i), array[i]);
        }

        return items;
    }

    private static bool IsEmpty(JsonNode? node) => node switch
    {
        JsonObject o => o.Count == 0,
        JsonArray a => a.Count == 0,
        _ => true,
    };

    private static Kind Shape(JsonNode? node, bool present) => !present
        ? Kind.Absent
        : node switch
        {
            JsonObject => Kind.Object,
            JsonArray => Kind.Array,
            _ => Kind.Scalar,
        };

    private enum Kind
    {
        Absent,
        Scalar,
        Object,
        Array,
    }
}
