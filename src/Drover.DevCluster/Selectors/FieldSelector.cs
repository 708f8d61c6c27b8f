using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;

namespace Drover.DevCluster.Selectors;

/// <summary>
/// A parsed <c>fieldSelector</c> (<c>metadata.name=x,metadata.namespace!=y</c>). A kind with
/// <see cref="SelectableFields"/> accepts only its labels; otherwise any dotted path to a scalar is accepted,
/// which covers the common built-in selectors such as <c>status.phase</c>.
/// </summary>
public sealed class FieldSelector
{
    private readonly IReadOnlyList<(string Label, Func<JsonObject, string> Read, bool Equal, string Value)> _terms;

    private FieldSelector(IReadOnlyList<(string, Func<JsonObject, string>, bool, string)> terms) => _terms = terms;

    public bool IsEmpty => _terms.Count == 0;

    /// <summary>The value required for <c>metadata.name</c>, when the selector pins one (a single-object watch).</summary>
    public string? RequiredName => _terms.FirstOrDefault(t => t.Equal && t.Label == "metadata.name").Value;

    public static FieldSelector Parse(string? text, SelectableFields? fields = null)
    {
        var terms = new List<(string, Func<JsonObject, string>, bool, string)>();
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
            string label, value;
            bool isEqual;
            if (notEqual > 0)
            {
                (label, isEqual, value) = (term[..notEqual].Trim(), false, term[(notEqual + 2)..].Trim());
            }
            else if (equal > 0)
            {
                var valueStart = term.Length > equal + 1 && term[equal + 1] == '=' ? equal + 2 : equal + 1;
                (label, isEqual, value) = (term[..equal].Trim(), true, term[valueStart..].Trim());
            }
            else
            {
                throw ApiException.BadRequest($"invalid selector: '{text}'; can't understand '{term}'");
            }

            terms.Add((label, fields?.Resolve(label) ?? AnyPath(label), isEqual, value));
        }

        return new FieldSelector(terms);
    }

    public bool Matches(JsonObject obj)
    {
        foreach (var (_, read, equal, value) in _terms)
        {
            if ((read(obj) == value) != equal)
            {
                return false;
            }
        }

        return true;
    }

    private static Func<JsonObject, string> AnyPath(string label)
    {
        var path = label.Split('.');
        return obj =>
        {
            JsonNode? node = obj;
            foreach (var segment in path)
            {
                node = node is JsonObject o ? o[segment] : null;
            }

            return node switch
            {
                null => string.Empty,
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                _ => node.ToJsonString(),
            };
        };
    }
}
