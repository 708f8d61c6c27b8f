using System.Text.Json.Nodes;
using Drover.Api;
using Drover.Api.V1Alpha1;

namespace Drover.CrdGen;

/// <summary>One generated manifest.</summary>
public sealed record GeneratedFile(string FileName, string Content);

/// <summary>Builds the apiextensions.k8s.io/v1 CustomResourceDefinitions of the Drover kinds from the C# types.</summary>
public static class CrdGenerator
{
    /// <summary>The CRD manifests, one YAML file per kind, in a fixed order.</summary>
    public static IReadOnlyList<GeneratedFile> Generate()
    {
        var schemas = new SchemaGenerator(XmlDocumentation.Load(typeof(Agent).Assembly, typeof(k8s.Models.V1ObjectMeta).Assembly));
        return [.. CrdDefinition.All.Select(d => new GeneratedFile(d.FileName, CrdYaml.Write(Build(d, schemas.Generate(d.RootType)))))];
    }

    private static JsonObject Build(CrdDefinition definition, JsonObject schema)
    {
        var version = new JsonObject
        {
            ["name"] = DroverApi.Version,
            ["served"] = true,
            ["storage"] = true,
            ["schema"] = new JsonObject { ["openAPIV3Schema"] = schema },
            ["subresources"] = Subresources(definition),
            ["additionalPrinterColumns"] = new JsonArray([.. definition.Columns.Select(Column)]),
        };

        var names = new JsonObject
        {
            ["kind"] = definition.Kind,
            ["listKind"] = definition.ListKind,
            ["plural"] = definition.Plural,
            ["singular"] = definition.Singular,
            ["categories"] = new JsonArray("drover"),
        };
        if (definition.ShortNames.Count > 0)
        {
            names["shortNames"] = new JsonArray([.. definition.ShortNames.Select(s => (JsonNode)s)]);
        }

        var crd = new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject
            {
                ["name"] = definition.Name,
                ["labels"] = new JsonObject { ["app.kubernetes.io/part-of"] = "drover" },
            },
            ["spec"] = new JsonObject
            {
                ["group"] = DroverApi.Group,
                ["names"] = names,
                ["scope"] = "Namespaced",
                ["versions"] = new JsonArray(version),
            },
        };
        return (JsonObject)StructuralSchema.Sort(crd);
    }

    private static JsonObject Subresources(CrdDefinition definition)
    {
        var subresources = new JsonObject { ["status"] = new JsonObject() };
        if (definition.Scalable)
        {
            subresources["scale"] = new JsonObject
            {
                ["specReplicasPath"] = ".spec.replicas",
                ["statusReplicasPath"] = ".status.replicas",
                ["labelSelectorPath"] = ".status.selector",
            };
        }

        return subresources;
    }

    private static JsonNode Column(PrinterColumn column)
    {
        var node = new JsonObject
        {
            ["name"] = column.Name,
            ["type"] = column.Type,
            ["jsonPath"] = column.JsonPath,
            ["description"] = column.Description,
        };
        if (column.Priority != 0)
        {
            node["priority"] = column.Priority;
        }

        return node;
    }
}
