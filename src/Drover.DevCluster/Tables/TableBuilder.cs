using System.Globalization;
using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Resources;

namespace Drover.DevCluster.Tables;

/// <summary>Renders objects as a <c>meta.k8s.io/v1</c> Table, the form <c>kubectl get</c> prints.</summary>
public static class TableBuilder
{
    public static bool Wants(string? accept) =>
        accept is not null && accept.Contains("as=Table", StringComparison.Ordinal);

    public static JsonObject Build(ResourceType type, IEnumerable<JsonObject> objects, string? includeObject, DateTimeOffset now, bool withColumns = true, string? resourceVersion = null, string? continueToken = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(objects);
        if (includeObject is not (null or "" or "None" or "Metadata" or "Object"))
        {
            throw ApiException.BadRequest($"includeObject: Unsupported value: \"{includeObject}\": supported values: \"None\", \"Metadata\", \"Object\"");
        }

        var cells = CellsFor(type);
        var leadingName = type.IsCustom || BuiltinColumns.LeadsWithName(type);
        var columns = new JsonArray();
        if (leadingName)
        {
            columns.Add(new JsonObject
            {
                ["name"] = "Name",
                ["type"] = "string",
                ["format"] = "name",
                ["description"] = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
                ["priority"] = 0,
            });
        }

        foreach (var (column, _) in cells)
        {
            columns.Add(new JsonObject
            {
                ["name"] = column.Name,
                ["type"] = column.Type,
                ["format"] = column.Format ?? string.Empty,
                ["description"] = column.Description,
                ["priority"] = column.Priority,
            });
        }

        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            var row = leadingName ? new JsonArray { Json.String(obj, "metadata", "name") } : [];
            foreach (var (_, cell) in cells)
            {
                row.Add(cell(obj, now));
            }

            var entry = new JsonObject { ["cells"] = row };
            switch (includeObject)
            {
                case "None":
                    break;
                case "Object":
                    entry["object"] = obj.DeepClone();
                    break;
                default:
                    entry["object"] = new JsonObject
                    {
                        ["kind"] = "PartialObjectMetadata",
                        ["apiVersion"] = "meta.k8s.io/v1",
                        ["metadata"] = obj["metadata"]?.DeepClone(),
                    };
                    break;
            }

            rows.Add(entry);
        }

        var metadata = new JsonObject();
        if (resourceVersion is not null)
        {
            metadata["resourceVersion"] = resourceVersion;
        }

        if (continueToken is not null)
        {
            metadata["continue"] = continueToken;
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = metadata,
            ["columnDefinitions"] = withColumns ? columns : new JsonArray(),
            ["rows"] = rows,
        };
    }

    private static IReadOnlyList<(PrinterColumn Column, Func<JsonObject, DateTimeOffset, JsonNode?> Cell)> CellsFor(ResourceType type)
    {
        if (!type.IsCustom)
        {
            return BuiltinColumns.For(type);
        }

        var columns = type.PrinterColumns.Count > 0
            ? type.PrinterColumns
            : [new PrinterColumn("Age", "date", null, "Custom resource definition column (in JSONPath format): .metadata.creationTimestamp", 0, ".metadata.creationTimestamp")];
        return [.. columns.Select(c => (c, CustomCell(c)))];
    }

    private static Func<JsonObject, DateTimeOffset, JsonNode?> CustomCell(PrinterColumn column)
    {
        var path = JsonPathExpression.Parse(column.JsonPath);
        return (obj, now) =>
        {
            var values = path.Evaluate(obj);
            if (values.Count == 0)
            {
                return null;
            }

            var text = JsonPathExpression.Render(values);
            switch (column.Type)
            {
                case "integer":
                    return long.TryParse(text, CultureInfo.InvariantCulture, out var l) ? l : null;
                case "number":
                    return double.TryParse(text, CultureInfo.InvariantCulture, out var d) ? d : null;
                case "boolean":
                    return bool.TryParse(text, out var b) ? b : null;
                case "date":
                    return KubeTime.TryParse(text, out var time) ? HumanDuration.Format(now - time) : "<invalid>";
                default:
                    return text;
            }
        };
    }
}
