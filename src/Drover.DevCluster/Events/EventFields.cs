using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Selectors;

namespace Drover.DevCluster.Events;

/// <summary>
/// The field selectors Events support, read from the stored core form: core/v1's labels (the registry's
/// <c>ToSelectableFields</c>) and events.k8s.io/v1's, which its field label conversion maps onto core's
/// (<c>regarding.*</c> is <c>involvedObject.*</c>, <c>reportingController</c> is <c>reportingComponent</c>).
/// </summary>
internal static class EventFields
{
    public static SelectableFields Core { get; } = new(CoreFields());

    public static SelectableFields EventsV1 { get; } = new(EventsV1Fields());

    private static Dictionary<string, Func<JsonObject, string>> CoreFields()
    {
        var fields = new Dictionary<string, Func<JsonObject, string>>(StringComparer.Ordinal)
        {
            ["metadata.name"] = SelectableFields.Path("metadata.name"),
            ["metadata.namespace"] = SelectableFields.Path("metadata.namespace"),
            ["reason"] = SelectableFields.Path("reason"),
            ["reportingComponent"] = SelectableFields.Path("reportingComponent"),
            ["type"] = SelectableFields.Path("type"),

            // Events written through events.k8s.io have no source; their reporting controller stands in.
            ["source"] = e => Json.String(e, "source", "component") is { Length: > 0 } component ? component : Json.String(e, "reportingComponent") ?? string.Empty,
        };
        foreach (var field in (string[])["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"])
        {
            fields["involvedObject." + field] = SelectableFields.Path("involvedObject." + field);
        }

        return fields;
    }

    private static Dictionary<string, Func<JsonObject, string>> EventsV1Fields()
    {
        var core = CoreFields();
        var fields = new Dictionary<string, Func<JsonObject, string>>(StringComparer.Ordinal)
        {
            ["metadata.name"] = core["metadata.name"],
            ["metadata.namespace"] = core["metadata.namespace"],
            ["reason"] = core["reason"],
            ["reportingController"] = core["reportingComponent"],
            ["source"] = core["source"],
            ["type"] = core["type"],
        };
        foreach (var field in (string[])["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"])
        {
            fields["regarding." + field] = core["involvedObject." + field];
        }

        return fields;
    }
}
