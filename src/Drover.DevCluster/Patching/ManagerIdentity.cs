using System.Text.Json.Nodes;

namespace Drover.DevCluster.Patching;

/// <summary>
/// Who a managedFields entry belongs to. Apply entries are keyed by manager (+subresource) whatever their apiVersion;
/// Update entries by manager, apiVersion (+subresource), as apimachinery's <c>BuildManagerIdentifier</c> does.
/// </summary>
internal sealed record ManagerIdentity(string Manager, string Operation, string? ApiVersion, string? Subresource)
{
    public static ManagerIdentity Apply(string manager, string? subresource) => new(manager, "Apply", null, NullIfEmpty(subresource));

    public static ManagerIdentity Update(string manager, string apiVersion, string? subresource) => new(manager, "Update", apiVersion, NullIfEmpty(subresource));

    /// <summary>How a conflict names the manager: <c>"kubectl" with subresource "status" using apps/v1</c>.</summary>
    public string Describe()
    {
        var text = Quote(Manager);
        if (Subresource is not null)
        {
            text += " with subresource " + Quote(Subresource);
        }

        return Operation == "Update" ? text + " using " + ApiVersion : text;
    }

    private static string Quote(string value) => GoJson.Serialize(JsonValue.Create(value));

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
