using System.Globalization;
using System.Text.Json.Nodes;
using Drover.DevCluster.Resources;

namespace Drover.DevCluster.Http;

/// <summary>
/// <c>/openapi/v3</c>: just enough for kubectl and helm to see that every kind's PATCH accepts
/// <c>fieldValidation</c>, so they leave validation to the server and never ask for the protobuf v2 document.
/// </summary>
public static class OpenApiDocuments
{
    public static JsonObject Index(ResourceCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var hash = catalog.Revision.ToString("X16", CultureInfo.InvariantCulture);
        var paths = new JsonObject();
        foreach (var (group, versions) in catalog.Groups)
        {
            foreach (var version in versions)
            {
                var key = group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";
                paths[key] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}?hash={hash}" };
            }
        }

        return new JsonObject { ["paths"] = paths };
    }

    public static JsonObject? GroupVersion(ResourceCatalog catalog, string group, string version)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var types = catalog.All.Where(t => t.Group == group && t.Version == version).ToList();
        if (types.Count == 0)
        {
            return null;
        }

        var prefix = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
        var paths = new JsonObject();
        var schemas = new JsonObject();
        foreach (var type in types)
        {
            var collection = type.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{type.Plural}" : $"{prefix}/{type.Plural}";
            var item = collection + "/{name}";
            var gvk = new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind };
            paths[collection] = new JsonObject
            {
                ["get"] = Operation(type, "list", gvk),
                ["post"] = Operation(type, "post", gvk),
            };
            paths[item] = new JsonObject
            {
                ["get"] = Operation(type, "get", gvk),
                ["put"] = Operation(type, "put", gvk),
                ["patch"] = Operation(type, "patch", gvk),
                ["delete"] = Operation(type, "delete", gvk),
            };
            if (type.HasStatusSubresource)
            {
                paths[item + "/status"] = new JsonObject
                {
                    ["get"] = Operation(type, "get", gvk),
                    ["put"] = Operation(type, "put", gvk),
                    ["patch"] = Operation(type, "patch", gvk),
                };
            }

            if (type is { Group: "", Plural: "pods" })
            {
                paths[item + "/log"] = new JsonObject { ["get"] = LogOperation(gvk) };
            }

            var schemaName = SchemaName(type);
            var schema = type.Schema?.OpenApiV3Schema.DeepClone() as JsonObject ?? new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
            schema["x-kubernetes-group-version-kind"] = new JsonArray(gvk.DeepClone());
            schemas[schemaName] = schema;
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.35.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    private static JsonObject Operation(ResourceType type, string action, JsonObject gvk)
    {
        var parameters = new JsonArray();
        if (action is "post" or "put" or "patch")
        {
            parameters.Add(Query("dryRun"));
            parameters.Add(Query("fieldManager"));
            parameters.Add(Query("fieldValidation"));
        }

        if (action == "patch")
        {
            parameters.Add(Query("force", "boolean"));
        }

        return new JsonObject
        {
            ["operationId"] = action + type.Kind,
            ["parameters"] = parameters,
            ["responses"] = new JsonObject
            {
                ["200"] = new JsonObject
                {
                    ["description"] = "OK",
                    ["content"] = new JsonObject
                    {
                        ["application/json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/" + SchemaName(type) } },
                    },
                },
            },
            ["x-kubernetes-action"] = action,
            ["x-kubernetes-group-version-kind"] = gvk.DeepClone(),
        };
    }

    /// <summary>pods/{name}/log answers text, not an object.</summary>
    private static JsonObject LogOperation(JsonObject gvk) => new()
    {
        ["operationId"] = "readCoreV1NamespacedPodLog",
        ["parameters"] = new JsonArray(Query("container"), Query("follow", "boolean"), Query("previous", "boolean"), Query("sinceSeconds", "integer"), Query("tailLines", "integer"), Query("timestamps", "boolean")),
        ["responses"] = new JsonObject
        {
            ["200"] = new JsonObject
            {
                ["description"] = "OK",
                ["content"] = new JsonObject { ["text/plain"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string" } } },
            },
        },
        ["x-kubernetes-action"] = "get",
        ["x-kubernetes-group-version-kind"] = gvk.DeepClone(),
    };

    private static JsonObject Query(string name, string type = "string") => new()
    {
        ["name"] = name,
        ["in"] = "query",
        ["schema"] = new JsonObject { ["type"] = type, ["uniqueItems"] = true },
    };

    private static string SchemaName(ResourceType type)
    {
        var group = type.Group.Length == 0 ? "core" : type.Group;
        var reversed = string.Join(".", group.Split('.').Reverse());
        return $"{reversed}.{type.Version}.{type.Kind}";
    }
}
