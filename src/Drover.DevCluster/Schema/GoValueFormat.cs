using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Schema;

/// <summary>
/// Prints values the way the Go apiserver does in error messages, because clients and
/// people compare these strings: strings as <c>%q</c>, numbers as <c>%v</c>, and maps
/// and lists as <c>json.Marshal</c> output (keys sorted).
/// </summary>
internal static class GoValueFormat
{
    /// <summary>The <c>BadValue</c> part of a field error: <c>"x"</c>, <c>5</c>, <c>true</c>, <c>{"a":1}</c>.</summary>
    public static string BadValue(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.String => Quote(value.GetValue<string>()),
        JsonValueKind.Number => Number(value),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => SortedJson(value),
    };

    /// <summary>Go's <c>strconv.Quote</c> for the common cases.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var rune in s.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (Rune.IsControl(rune))
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"\\x{rune.Value:x2}");
                    }
                    else
                    {
                        sb.Append(rune.ToString());
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>
    /// A JSON number as Go prints the decoded value: integers (int64) verbatim, others
    /// (float64) with <c>%v</c>.
    /// </summary>
    public static string Number(JsonNode value)
    {
        var text = value.ToJsonString();
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return integer.ToString(CultureInfo.InvariantCulture);
        }

        return Float(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Go's <c>%v</c> for a float64 (strconv's shortest <c>%g</c>): the shortest round-trip
    /// digits, in exponent form when the decimal exponent is below -4 or at least 6.
    /// </summary>
    public static string Float(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "+Inf" : "-Inf";
        }

        if (d == 0)
        {
            return "0";
        }

        var digits = ShortestDigits(d.ToString("R", CultureInfo.InvariantCulture), out var exponent);
        var sb = new StringBuilder();
        if (d < 0)
        {
            sb.Append('-');
        }

        if (exponent < -4 || exponent >= 6)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }

            sb.Append('e').Append(exponent < 0 ? '-' : '+');
            sb.Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (exponent < 0)
        {
            sb.Append("0.").Append('0', -exponent - 1).Append(digits);
        }
        else if (exponent + 1 >= digits.Length)
        {
            sb.Append(digits).Append('0', exponent + 1 - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, exponent + 1).Append('.').Append(digits, exponent + 1, digits.Length - exponent - 1);
        }

        return sb.ToString();
    }

    private static string ShortestDigits(string roundTrip, out int exponent)
    {
        var text = roundTrip.TrimStart('-');
        var exponentPart = 0;
        var e = text.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponentPart = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot >= 0 ? text[..dot] : text;
        var fracPart = dot >= 0 ? text[(dot + 1)..] : "";
        var all = intPart + fracPart;
        var leadingZeros = all.Length - all.TrimStart('0').Length;
        var significant = all.Trim('0');
        exponent = intPart.Length - 1 - leadingZeros + exponentPart;
        return significant.Length == 0 ? "0" : significant;
    }

    /// <summary>Compact JSON with object keys sorted, as Go's <c>json.Marshal</c> writes a map.</summary>
    public static string SortedJson(JsonNode? value)
    {
        var sb = new StringBuilder();
        WriteSorted(sb, value);
        return sb.ToString();
    }

    private static void WriteSorted(StringBuilder sb, JsonNode? value)
    {
        switch (value)
        {
            case JsonObject obj:
                sb.Append('{');
                var first = true;
                foreach (var (key, child) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }

                    first = false;
                    sb.Append(JsonValue.Create(key).ToJsonString()).Append(':');
                    WriteSorted(sb, child);
                }

                sb.Append('}');
                break;
            case JsonArray arr:
                sb.Append('[');
                for (var i = 0; i < arr.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    WriteSorted(sb, arr[i]);
                }

                sb.Append(']');
                break;
            case null:
                sb.Append("null");
                break;
            default:
                sb.Append(value.ToJsonString());
                break;
        }
    }
}
