using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;

namespace Drover.DevCluster.Selectors;

/// <summary>
/// A parsed <c>labelSelector</c>: equality (<c>a=b</c>, <c>a==b</c>, <c>a!=b</c>), set-based
/// (<c>a in (x,y)</c>, <c>a notin (x)</c>) and existence (<c>a</c>, <c>!a</c>) requirements, all ANDed.
/// </summary>
public sealed class LabelSelector
{
    private readonly IReadOnlyList<Requirement> _requirements;

    private LabelSelector(IReadOnlyList<Requirement> requirements) => _requirements = requirements;

    public bool IsEmpty => _requirements.Count == 0;

    public static LabelSelector Parse(string? text)
    {
        var requirements = new List<Requirement>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return new LabelSelector(requirements);
        }

        foreach (var term in SplitTerms(text))
        {
            requirements.Add(ParseTerm(term.Trim(), text));
        }

        return new LabelSelector(requirements);
    }

    /// <summary>Builds a selector from a <c>metav1.LabelSelector</c> object (matchLabels and matchExpressions).</summary>
    public static LabelSelector FromObject(JsonObject? selector)
    {
        var requirements = new List<Requirement>();
        if (selector?["matchLabels"] is JsonObject matchLabels)
        {
            foreach (var (key, value) in matchLabels)
            {
                requirements.Add(new Requirement(key, Operator.In, [value?.ToString() ?? string.Empty]));
            }
        }

        if (selector?["matchExpressions"] is JsonArray expressions)
        {
            foreach (var expression in expressions.OfType<JsonObject>())
            {
                var key = expression["key"]?.ToString() ?? string.Empty;
                var values = (expression["values"] as JsonArray)?.Select(v => v?.ToString() ?? string.Empty).ToArray() ?? [];
                var op = expression["operator"]?.ToString() switch
                {
                    "In" => Operator.In,
                    "NotIn" => Operator.NotIn,
                    "Exists" => Operator.Exists,
                    _ => Operator.DoesNotExist,
                };
                requirements.Add(new Requirement(key, op, values));
            }
        }

        return new LabelSelector(requirements);
    }

    public bool Matches(JsonObject obj)
    {
        if (_requirements.Count == 0)
        {
            return true;
        }

        var labels = obj["metadata"]?["labels"] as JsonObject;
        foreach (var requirement in _requirements)
        {
            string? value = null;
            var present = labels is not null && labels.TryGetPropertyValue(requirement.Key, out var node) && (value = node?.ToString()) is not null;
            var ok = requirement.Operator switch
            {
                Operator.In => present && requirement.Values.Contains(value!),
                Operator.NotIn => !present || !requirement.Values.Contains(value!),
                Operator.Exists => present,
                _ => !present,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The selector in its string form, as the scale subresource reports it.</summary>
    public override string ToString() => string.Join(",", _requirements.Select(r => r.Operator switch
    {
        Operator.In when r.Values.Count == 1 => $"{r.Key}={r.Values[0]}",
        Operator.In => $"{r.Key} in ({string.Join(",", r.Values.Order(StringComparer.Ordinal))})",
        Operator.NotIn => $"{r.Key} notin ({string.Join(",", r.Values.Order(StringComparer.Ordinal))})",
        Operator.Exists => r.Key,
        _ => "!" + r.Key,
    }));

    private static IEnumerable<string> SplitTerms(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }

    private static Requirement ParseTerm(string term, string whole)
    {
        if (term.Length == 0)
        {
            throw Invalid(whole);
        }

        if (term[0] == '!')
        {
            return new Requirement(ValidKey(term[1..].Trim(), whole), Operator.DoesNotExist, []);
        }

        var notEqual = term.IndexOf("!=", StringComparison.Ordinal);
        if (notEqual > 0)
        {
            return new Requirement(ValidKey(term[..notEqual].Trim(), whole), Operator.NotIn, [term[(notEqual + 2)..].Trim()]);
        }

        var equal = term.IndexOf('=', StringComparison.Ordinal);
        if (equal > 0)
        {
            var valueStart = term.Length > equal + 1 && term[equal + 1] == '=' ? equal + 2 : equal + 1;
            return new Requirement(ValidKey(term[..equal].Trim(), whole), Operator.In, [term[valueStart..].Trim()]);
        }

        var paren = term.IndexOf('(', StringComparison.Ordinal);
        if (paren > 0 && term.EndsWith(')'))
        {
            var head = term[..paren].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (head.Length != 2)
            {
                throw Invalid(whole);
            }

            var values = term[(paren + 1)..^1].Split(',').Select(v => v.Trim()).Where(v => v.Length > 0).ToArray();
            var op = head[1] switch
            {
                "in" => Operator.In,
                "notin" => Operator.NotIn,
                _ => throw Invalid(whole),
            };
            return new Requirement(ValidKey(head[0], whole), op, values);
        }

        return new Requirement(ValidKey(term, whole), Operator.Exists, []);
    }

    private static string ValidKey(string key, string whole) =>
        key.Length == 0 || key.Any(char.IsWhiteSpace) ? throw Invalid(whole) : key;

    private static ApiException Invalid(string text) =>
        ApiException.BadRequest($"unable to parse requirement: found '{text}', expected: valid label selector");

    private enum Operator
    {
        In,
        NotIn,
        Exists,
        DoesNotExist,
    }

    private sealed record Requirement(string Key, Operator Operator, IReadOnlyList<string> Values);
}
