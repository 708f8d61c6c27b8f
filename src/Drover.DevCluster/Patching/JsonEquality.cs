using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Patching;

/// <summary>
/// Structural JSON equality as Go's <c>reflect.DeepEqual</c> over decoded JSON sees it:
/// object member order does not matter, array order does, and numbers compare by value (1 equals 1.0).
/// </summary>
internal static class JsonEquality
{
    public static bool Equal(JsonNode? left, JsonNode? right)
    {
        if (left is null || right is null)
        {
            return IsNull(left) && IsNull(right);
        }

        switch (left)
        {
            case JsonObject lo when right is JsonObject ro:
                if (lo.Count != ro.Count)
                {
                    return false;
                }

                foreach (var (key, value) in lo)
                {
                    if (!ro.TryGetPropertyValue(key, out var other) || !Equal(value, other))
                    {
                        return false;
                    }
                }

                return true;
            case JsonArray la when right is JsonArray ra:
                if (la.Count != ra.Count)
                {
                    return false;
                }

                for (var i = 0; i < la.Count; i++)
                {
                    if (!Equal(la[i], ra[i]))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValue lv when right is JsonValue rv:
                return ScalarEqual(lv, rv);
            default:
                return false;
        }
    }

    public static bool IsNull(JsonNode? node) =>
        node is null || (node is JsonValue v && v.GetValueKind() == JsonValueKind.Null);

    private static bool ScalarEqual(JsonValue left, JsonValue right)
    {
        var lk = left.GetValueKind();
        var rk = right.GetValueKind();
        if (lk == JsonValueKind.True || lk == JsonValueKind.False)
        {
            return lk == rk;
        }

        if (lk != rk)
        {
            return false;
        }

        return lk switch
        {
            JsonValueKind.String => string.Equals(left.GetValue<string>(), right.GetValue<string>(), StringComparison.Ordinal),
            JsonValueKind.Number => NumberEqual(left, right),
            _ => true,
        };
    }

    private static bool NumberEqual(JsonValue left, JsonValue right)
    {
        var lt = left.ToJsonString();
        var rt = right.ToJsonString();
        if (string.Equals(lt, rt, StringComparison.Ordinal))
        {
            return true;
        }

        return double.TryParse(lt, NumberStyles.Float, CultureInfo.InvariantCulture, out var l)
            && double.TryParse(rt, NumberStyles.Float, CultureInfo.InvariantCulture, out var r)
            && l.Equals(r);
    }
}
