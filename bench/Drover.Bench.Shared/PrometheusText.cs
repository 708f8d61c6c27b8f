using System.Globalization;

namespace Drover.Bench;

/// <summary>One sample of a Prometheus text exposition: series name, labels and value.</summary>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string? Label(string name) => Labels.TryGetValue(name, out var value) ? value : null;
}

/// <summary>Reads the Prometheus text exposition format (what <c>/metrics</c> serves), enough for the harnesses.</summary>
internal static class PrometheusText
{
    public static IEnumerable<PrometheusSample> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            if (space < 0 || !double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var series = line[..space].TrimEnd();
            var brace = series.IndexOf('{', StringComparison.Ordinal);
            if (brace < 0)
            {
                yield return new PrometheusSample(series, new Dictionary<string, string>(), value);
                continue;
            }

            yield return new PrometheusSample(series[..brace], Labels(series[(brace + 1)..].TrimEnd('}')), value);
        }
    }

    /// <summary>The sum of every sample of <paramref name="name"/> whose labels include <paramref name="labels"/>.</summary>
    public static double Sum(IEnumerable<PrometheusSample> samples, string name, params (string Name, string Value)[] labels) =>
        samples.Where(s => s.Name == name && labels.All(l => s.Label(l.Name) == l.Value)).Sum(s => s.Value);

    // name="value",name="value": values are quoted and may hold escaped quotes, commas and braces.
    private static Dictionary<string, string> Labels(string text)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        while (i < text.Length)
        {
            var equals = text.IndexOf('=', i);
            if (equals < 0 || equals + 1 >= text.Length || text[equals + 1] != '"')
            {
                break;
            }

            var name = text[i..equals].Trim().TrimStart(',').Trim();
            var value = new System.Text.StringBuilder();
            var j = equals + 2;
            for (; j < text.Length && text[j] != '"'; j++)
            {
                if (text[j] == '\\' && j + 1 < text.Length)
                {
                    j++;
                    value.Append(text[j] == 'n' ? '\n' : text[j]);
                }
                else
                {
                    value.Append(text[j]);
                }
            }

            labels[name] = value.ToString();
            i = j + 1;
        }

        return labels;
    }
}
