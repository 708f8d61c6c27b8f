using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Patching;

/// <summary>
/// Writes JSON values the way Go's <c>encoding/json</c> does (compact, sorted map keys, <c>&lt;</c> <c>&gt;</c> <c>&amp;</c>
/// escaped as <c>\u003c</c>…, other non-ASCII kept), so FieldsV1 keys such as <c>k:{"name":"app"}</c> match the real server's.
/// Also renders values for field paths the way structured-merge-diff's <c>value.ToString</c> does.
/// </summary>
internal static class GoJson
{
    public static string Serialize(JsonNode? node)
    {
        var builder = new StringBuilder();
        Write(builder, node);
        return builder.ToString();
    }

    public static void Write(StringBuilder builder, JsonNode? node)
    {
        switch (node)
        {
            case null:
                builder.Append("null");
                break;
            case JsonObject obj:
                builder.Append('{');
                var first = true;
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        builder.Append(',');
                    }

                    first = false;
                    WriteString(builder, key);
                    builder.Append(':');
                    Write(builder, value);
                }

                builder.Append('}');
                break;
            case JsonArray array:
                builder.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(',');
                    }

                    Write(builder, array[i]);
                }

                builder.Append(']');
                break;
            default:
                WriteScalar(builder, node);
                break;
        }
    }

    private static void WriteScalar(StringBuilder builder, JsonNode node)
    {
        switch (node.GetValueKind())
        {
            case JsonValueKind.String:
                WriteString(builder, node.GetValue<string>());
                break;
            case JsonValueKind.Number:
                builder.Append(Number(node));
                break;
            case JsonValueKind.True:
                builder.Append("true");
                break;
            case JsonValueKind.False:
                builder.Append("false");
                break;
            default:
                builder.Append("null");
                break;
        }
    }

    /// <summary>Integers print as integers, other numbers in Go's shortest form.</summary>
    public static string Number(JsonNode node)
    {
        var raw = node.ToJsonString();
        if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return integer.ToString(CultureInfo.InvariantCulture);
        }

        var value = double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
        return value == Math.Floor(value) && Math.Abs(value) < 1e15
            ? ((long)value).ToString(CultureInfo.InvariantCulture)
            : value.ToString("R", CultureInfo.InvariantCulture);
    }

    public static void WriteString(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '<' or '>' or '&' or '\u2028' or '\u2029':
                case < ' ':
                    builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        builder.Append('"');
    }

    /// <summary>structured-merge-diff's <c>value.ToString</c>: strings quoted, numbers and booleans bare.</summary>
    public static string ToPathString(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject or JsonArray => Serialize(node),
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => Serialize(node),
            JsonValueKind.Number => Number(node),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => "null",
        },
    };
}
