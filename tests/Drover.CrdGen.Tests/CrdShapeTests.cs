using System.Text.Json.Nodes;
using Drover.Api;

namespace Drover.CrdGen.Tests;

public class CrdShapeTests
{
    [Fact]
    public void There_is_one_crd_per_kind_named_after_its_plural_and_group()
    {
        Assert.Equal(["Agent", "ModelProvider", "Schedule"], CrdFiles.All.Keys.Order());
        foreach (var file in Directory.GetFiles(Drover.Tests.Support.Repository.CrdDirectory, "*.yaml"))
        {
            var crd = Drover.Tests.Support.YamlJson.Parse(File.ReadAllText(file));
            var plural = crd["spec"]!["names"]!["plural"]!.GetValue<string>();
            Assert.Equal($"drover.dev_{plural}.yaml", Path.GetFileName(file));
        }
    }

    [Theory]
    [MemberData(nameof(CrdFiles.Kinds), MemberType = typeof(CrdFiles))]
    public void Crd_is_a_valid_apiextensions_v1_object(string kind)
    {
        var crd = CrdFiles.All[kind];
        Assert.Equal("apiextensions.k8s.io/v1", crd["apiVersion"]!.GetValue<string>());
        Assert.Equal("CustomResourceDefinition", crd["kind"]!.GetValue<string>());

        var spec = crd["spec"]!;
        var names = spec["names"]!;
        var plural = names["plural"]!.GetValue<string>();
        Assert.Equal($"{plural}.{DroverApi.Group}", crd["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal(DroverApi.Group, spec["group"]!.GetValue<string>());
        Assert.Equal("Namespaced", spec["scope"]!.GetValue<string>());
        Assert.Equal(kind, names["kind"]!.GetValue<string>());
        Assert.Equal(kind + "List", names["listKind"]!.GetValue<string>());
        Assert.Equal(kind.ToLowerInvariant(), names["singular"]!.GetValue<string>());
        Assert.Equal(kind.ToLowerInvariant() + "s", plural);
        Assert.Contains("drover", names["categories"]!.AsArray().Select(c => c!.GetValue<string>()));

        var versions = spec["versions"]!.AsArray();
        var version = Assert.Single(versions)!;
        Assert.Equal(DroverApi.Version, version["name"]!.GetValue<string>());
        Assert.True(version["served"]!.GetValue<bool>());
        Assert.True(version["storage"]!.GetValue<bool>());
        Assert.NotNull(version["subresources"]!["status"]);

        var schema = CrdFiles.Schema(kind);
        Assert.Equal("object", schema["type"]!.GetValue<string>());
        Assert.Equal("""{"type":"object"}""", schema["properties"]!["metadata"]!.ToJsonString());
        Assert.Contains("spec", schema["required"]!.AsArray().Select(r => r!.GetValue<string>()));
        foreach (var property in new[] { "apiVersion", "kind", "spec", "status" })
        {
            Assert.NotNull(schema["properties"]![property]);
        }
    }

    [Theory]
    [InlineData("Agent", "ag")]
    [InlineData("ModelProvider", "mp")]
    [InlineData("Schedule", "sched")]
    public void Short_names_match_the_design(string kind, string shortName) =>
        Assert.Equal([shortName], CrdFiles.All[kind]["spec"]!["names"]!["shortNames"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray());

    [Fact]
    public void Agent_supports_kubectl_scale()
    {
        var scale = CrdFiles.All["Agent"]["spec"]!["versions"]![0]!["subresources"]!["scale"]!;
        Assert.Equal(".spec.replicas", scale["specReplicasPath"]!.GetValue<string>());
        Assert.Equal(".status.replicas", scale["statusReplicasPath"]!.GetValue<string>());
        Assert.Equal(".status.selector", scale["labelSelectorPath"]!.GetValue<string>());
        Assert.Null(CrdFiles.All["Schedule"]["spec"]!["versions"]![0]!["subresources"]!["scale"]);
    }

    [Theory]
    [InlineData("Agent", "Model,Replicas,Available,Ready,Reason,Age")]
    [InlineData("ModelProvider", "Type,Endpoint,Ready,Reason,Age")]
    [InlineData("Schedule", "Agent,Schedule,Suspended,Last,Next,Ready,Reason,Age")]
    public void Printer_columns_show_what_matters(string kind, string defaultColumns)
    {
        var columns = CrdFiles.All[kind]["spec"]!["versions"]![0]!["additionalPrinterColumns"]!.AsArray();
        var shown = columns.Where(c => (c!["priority"]?.GetValue<long>() ?? 0) == 0).Select(c => c!["name"]!.GetValue<string>());
        Assert.Equal(defaultColumns.Split(','), shown.ToArray());

        var schema = CrdFiles.Schema(kind);
        foreach (var column in columns)
        {
            var path = column!["jsonPath"]!.GetValue<string>();
            Assert.Contains(column["type"]!.GetValue<string>(), new[] { "string", "integer", "number", "boolean", "date" });
            if (path.StartsWith(".metadata", StringComparison.Ordinal))
            {
                continue;
            }

            // Every column reads a field the schema has, so it cannot silently stay empty after a rename.
            JsonNode? node = schema;
            var withoutFilters = System.Text.RegularExpressions.Regex.Replace(path, @"\[[^\]]*\]", "[]");
            foreach (var segment in withoutFilters.TrimStart('.').Split('.'))
            {
                var name = segment.Split('[')[0];
                node = node!["properties"]?[name];
                Assert.True(node is not null, $"{kind} column {column["name"]} reads {path}, which is not in the schema");
                if (segment.Contains('[', StringComparison.Ordinal))
                {
                    node = node["items"];
                }
            }
        }
    }

    [Fact]
    public void Ready_column_reads_the_Ready_condition() =>
        Assert.All(CrdFiles.All.Values, crd => Assert.Contains(
            crd["spec"]!["versions"]![0]!["additionalPrinterColumns"]!.AsArray(),
            c => c!["jsonPath"]!.GetValue<string>() == ".status.conditions[?(@.type==\"Ready\")].status"));
}
