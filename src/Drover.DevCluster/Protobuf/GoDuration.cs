using System.Globalization;
using System.Text;

namespace Drover.DevCluster.Protobuf;

/// <summary>Go's <c>time.Duration.String()</c>, which is how <c>metav1.Duration</c> appears in JSON.</summary>
internal static class GoDuration
{
    private const ulong Microsecond = 1_000;
    private const ulong Millisecond = 1_000_000;
    private const ulong Second = 1_000_000_000;

    /// <summary>Formats nanoseconds: <c>0s</c>, <c>1.5µs</c>, <c>250ms</c>, <c>1m30s</c>, <c>1h0m0s</c>.</summary>
    public static string Format(long nanoseconds)
    {
        var negative = nanoseconds < 0;
        var u = negative ? (ulong)-(nanoseconds + 1) + 1 : (ulong)nanoseconds;
        var text = new StringBuilder();
        if (u < Second)
        {
            if (u == 0)
            {
                return "0s";
            }

            var (precision, unit) = u < Microsecond ? (0, "ns") : u < Millisecond ? (3, "µs") : (6, "ms");
            var (whole, fraction) = Fraction(u, precision);
            text.Append(whole.ToString(CultureInfo.InvariantCulture)).Append(fraction).Append(unit);
        }
        else
        {
            var (seconds, fraction) = Fraction(u, 9);
            var minutes = seconds / 60;
            var hours = minutes / 60;
            if (hours > 0)
            {
                text.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
            }

            if (minutes > 0)
            {
                text.Append((minutes % 60).ToString(CultureInfo.InvariantCulture)).Append('m');
            }

            text.Append((seconds % 60).ToString(CultureInfo.InvariantCulture)).Append(fraction).Append('s');
        }

        return negative ? "-" + text : text.ToString();
    }

    /// <summary>Splits v into v / 10^precision and its fraction as ".ddd" without trailing zeros (empty when none).</summary>
    private static (ulong Whole, string Fraction) Fraction(ulong v, int precision)
    {
        var digits = new char[precision];
        var printed = false;
        var end = precision;
        for (var i = precision - 1; i >= 0; i--)
        {
            var digit = v % 10;
            printed |= digit != 0;
            if (!printed)
            {
                end = i;
            }

            digits[i] = (char)('0' + digit);
            v /= 10;
        }

        return (v, end == 0 ? string.Empty : "." + new string(digits, 0, end));
    }
}
