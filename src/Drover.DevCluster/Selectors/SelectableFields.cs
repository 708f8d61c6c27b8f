using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;

namespace Drover.DevCluster.Selectors;

/// <summary>
/// The field labels a built-in kind can be selected by and how each reads its value from a stored object, as the
/// real registries' field label conversions and <c>ToSelectableFields</c> define them. Other labels are refused.
/// </summary>
public sealed class SelectableFields
{
    private readonly IReadOnlyDictionary<string, Func<JsonObject, string>> _fields;

    public SelectableFields(IReadOnlyDictionary<string, Func<JsonObject, string>> fields) => _fields = fields;

    /// <summary>How to read <paramref name="label"/>; a 400 for a label the kind does not support.</summary>
    public Func<JsonObject, string> Resolve(string label) =>
        _fields.TryGetValue(label, out var read) ? read : throw ApiException.BadRequest($"field label not supported: {label}");

    /// <summary>A field read by its dotted JSON path, empty when absent.</summary>
    public static Func<JsonObject, string> Path(string path)
    {
        var segments = path.Split('.');
        return obj => Json.String(obj, segments) ?? string.Empty;
    }
}
