using System.Globalization;

namespace Drover.Bench;

/// <summary>How the harnesses read their command lines: <c>--name value</c> or <c>--name=value</c>, lists and durations.</summary>
internal static class OptionValues
{
    /// <summary>
    /// The options as (name, value) pairs in order; null with <paramref name="help"/> set for <c>-h</c>/<c>--help</c>,
    /// or with <paramref name="error"/> set when an option has no value.
    /// </summary>
    public static List<(string Name, string Value)>? Pairs(IReadOnlyList<string> args, out string? error, out bool help)
    {
        ArgumentNullException.ThrowIfNull(args);
        error = null;
        help = false;
        var pairs = new List<(string, string)>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                help = true;
                return null;
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg : arg[..equals];
            var value = equals >= 0 ? arg[(equals + 1)..] : i + 1 < args.Count ? args[++i] : null;
            if (value is null)
            {
                error = $"{name} needs a value";
                return null;
            }

            pairs.Add((name, value));
        }

        return pairs;
    }

    /// <summary>Whole numbers of at least 1, comma-separated (1_000 allowed); null when any is not, or there are none.</summary>
    public static List<int>? PositiveList(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var items = new List<int>();
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part.Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
            {
                return null;
            }

            items.Add(n);
        }

        return items.Count == 0 ? null : items;
    }

    /// <summary>A duration such as 250ms, 30s or 2m; above zero unless <paramref name="allowZero"/>.</summary>
    public static bool TryDuration(string value, out TimeSpan duration, bool allowZero = false)
    {
        ArgumentNullException.ThrowIfNull(value);
        duration = default;
        var text = value.Trim();
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : ("", 0.0);
        if (number.Length == 0
            || !double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
            || (amount == 0 && !allowZero))
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(amount * unit);
        return true;
    }
}
