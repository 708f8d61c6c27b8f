using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;

namespace Drover.DevCluster.Selectors;

/// <summary>
/// A parsed <c>fieldSelector</c> (<c>metadata.name=x,metadata.namespace!=y</c>). Any dotted path to a
/// scalar is accepted, which covers the common built-in selectors such as <c>status.phase</c>.
/// </summary>
public sealed class FieldSelector
{
    private readonly IReadOnlyList<(string[] Path, bool Equal, string Value)> _terms;

    private FieldSelector(IReadOnlyList<(string[] Path, bool Equal, string Value)> terms) => _terms = terms;

    public bool IsEmpty => _terms.Count == 0;

    /// <summary>The value required for <c>metadata.name</c>, when the selector pins one (a single-object watch).</summary>
    public string? RequiredName => _terms.FirstOrDefault(t => t.Equal && t.Path is ["metadata", "name"]).Value;

    public static FieldSelector Parse(string? text)
    {
        var terms = new List<(string[], bool, string)>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return new FieldSelector(terms);
        }

        foreach (var raw in text.Split(','))
        {
            var term = raw.Trim();
            if (term.Length == 0)
            {
                continue;
            }

            var notEqual = term.IndexOf("!=", StringComparison.Ordinal);
            var equal = term.IndexOf('=', StringComparison.Ordinal);
            if (notEqual > 0)
            {
                terms.Add((term[..notEqual].Trim().Split('.'), false, term[(notEqual + 2)..].Trim()));
            }
            else if (equal > 0)
            {
                var valueStart = term.Length > equal + 1 && term[equal + 1] == '=' ? equal + 2 : equal + 1;
                terms.Add((term[..equal].Trim().Split('.'), true, term[valueStart..].Trim()));
            }
            else
            {
                throw ApiException.BadRequest($"invalid selector: '{text}'; can't understand '{term}'");
            }
        }

        return new FieldSelector(terms);
    }

    public bool Matches(JsonObject obj)
    {
        foreach (var (path, equal, value) in _terms)
        {
            JsonNode? node = obj;
            foreach (var segment in path)
            {
                node = node is JsonObject o ? o[segment] : null;
            }

            var actual = node switch
            {
                null => string.Empty,
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                _ => node.ToJsonString(),
            };
            if ((actual == value) != equal)
            {
                return false;
            }
        }

        return true;
    }
}
