using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Tables;

/// <summary>
/// The JSONPath subset printer columns use: <c>.a.b</c>, <c>[0]</c>, <c>[*]</c>,
/// <c>['key.with.dots']</c> and filters such as <c>[?(@.type=="Ready")]</c>.
/// </summary>
public sealed class JsonPathExpression
{
    private readonly List<Step> _steps;

    private JsonPathExpression(List<Step> steps) => _steps = steps;

    public static JsonPathExpression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (text.StartsWith('{') && text.EndsWith('}'))
        {
            text = text[1..^1];
        }

        var steps = new List<Step>();
        var i = 0;
        while (i < text.Length)
        {
            switch (text[i])
            {
                case '$':
                    i++;
                    break;
                case '.':
                    {
                        var start = ++i;
                        while (i < text.Length && text[i] is not ('.' or '['))
                        {
                            i++;
                        }

                        if (i > start)
                        {
                            steps.Add(new Step(StepKind.Field, text[start..i], null, null));
                        }

                        break;
                    }

                case '[':
                    {
                        var end = FindClose(text, i);
                        var inner = text[(i + 1)..end].Trim();
                        i = end + 1;
                        if (inner == "*")
                        {
                            steps.Add(new Step(StepKind.All, null, null, null));
                        }
                        else if (inner.StartsWith("?(", StringComparison.Ordinal) && inner.EndsWith(')'))
                        {
                            steps.Add(ParseFilter(inner[2..^1]));
                        }
                        else if (inner.Length > 1 && inner[0] is '\'' or '"')
                        {
                            steps.Add(new Step(StepKind.Field, inner[1..^1], null, null));
                        }
                        else if (int.TryParse(inner, CultureInfo.InvariantCulture, out var index))
                        {
                            steps.Add(new Step(StepKind.Index, null, index, null));
                        }
                        else
                        {
                            steps.Add(new Step(StepKind.Field, inner, null, null));
                        }

                        break;
                    }

                default:
                    {
                        var start = i;
                        while (i < text.Length && text[i] is not ('.' or '['))
                        {
                            i++;
                        }

                        steps.Add(new Step(StepKind.Field, text[start..i], null, null));
                        break;
                    }
            }
        }

        return new JsonPathExpression(steps);
    }

    public IReadOnlyList<JsonNode> Evaluate(JsonNode? root)
    {
        IEnumerable<JsonNode?> current = [root];
        foreach (var step in _steps)
        {
            current = current.SelectMany(node => Apply(step, node)).ToList();
        }

        return [.. current.OfType<JsonNode>()];
    }

    private static IEnumerable<JsonNode?> Apply(Step step, JsonNode? node)
    {
        switch (step.Kind)
        {
            case StepKind.Field when node is JsonObject obj && obj.TryGetPropertyValue(step.Name!, out var child):
                yield return child;
                break;
            case StepKind.Index when node is JsonArray array:
                var index = step.Index!.Value < 0 ? array.Count + step.Index.Value : step.Index.Value;
                if (index >= 0 && index < array.Count)
                {
                    yield return array[index];
                }

                break;
            case StepKind.All when node is JsonArray all:
                foreach (var item in all)
                {
                    yield return item;
                }

                break;
            case StepKind.All when node is JsonObject values:
                foreach (var (_, value) in values)
                {
                    yield return value;
                }

                break;
            case StepKind.Filter when node is JsonArray candidates:
                foreach (var item in candidates)
                {
                    if (step.Filter!(item))
                    {
                        yield return item;
                    }
                }

                break;
        }
    }

    private static Step ParseFilter(string expression)
    {
        var op = expression.Contains("!=", StringComparison.Ordinal) ? "!=" : "==";
        var at = expression.IndexOf(op, StringComparison.Ordinal);
        if (at < 0)
        {
            var exists = Parse(expression.Trim().TrimStart('@'));
            return new Step(StepKind.Filter, null, null, item => exists.Evaluate(item).Count > 0);
        }

        var left = Parse(expression[..at].Trim().TrimStart('@'));
        var right = expression[(at + op.Length)..].Trim().Trim('"', '\'');
        return new Step(StepKind.Filter, null, null, item =>
        {
            var equal = left.Evaluate(item).Any(v => Text(v) == right);
            return op == "==" ? equal : !equal;
        });
    }

    /// <summary>How kubectl's JSONPath printer renders a value.</summary>
    public static string Text(JsonNode? node) => node switch
    {
        null => string.Empty,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };

    public static string Render(IReadOnlyList<JsonNode> values)
    {
        var builder = new StringBuilder();
        foreach (var value in values)
        {
            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(Text(value));
        }

        return builder.ToString();
    }

    private static int FindClose(string text, int open)
    {
        var depth = 0;
        var quote = '\0';
        for (var i = open; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }

                continue;
            }

            switch (c)
            {
                case '"' or '\'':
                    quote = c;
                    break;
                case '[':
                    depth++;
                    break;
                case ']':
                    if (--depth == 0)
                    {
                        return i;
                    }

                    break;
            }
        }

        throw new FormatException($"unterminated '[' in JSONPath {text}");
    }

    private enum StepKind
    {
        Field,
        Index,
        All,
        Filter,
    }

    private sealed record Step(StepKind Kind, string? Name, int? Index, Func<JsonNode?, bool>? Filter);
}
