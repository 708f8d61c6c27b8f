using System.Text.Json.Nodes;
using Drover.DevCluster.Schema;

namespace Drover.DevCluster.Tests.Schema;

/// <summary>
/// Drover's own CRDs and samples through the schema engine: what `kubectl apply` of a
/// sample against the dev cluster will do.
/// </summary>
public class RepositoryCrdTests
{
    private static Dictionary<string, StructuralSchema> LoadSchemasByKind()
    {
        var root = RepositoryRoot.Find()!;
        var schemas = new Dictionary<string, StructuralSchema>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(root, "crds"), "*.yaml"))
        {
            foreach (var crd in YamlJson.Documents(File.ReadAllText(file)))
            {
                var kind = (string)crd["spec"]!["names"]!["kind"]!;
                foreach (var version in crd["spec"]!["versions"]!.AsArray())
                {
                    var schema = version!["schema"]!["openAPIV3Schema"]!.AsObject();
                    schemas[$"{crd["spec"]!["group"]}/{version["name"]}/{kind}"] = StructuralSchema.Parse(schema);
                }
            }
        }

        return schemas;
    }

    private static IEnumerable<(string File, JsonObject Object)> Samples()
    {
        var root = RepositoryRoot.Find()!;
        foreach (var file in Directory.GetFiles(Path.Combine(root, "config", "samples"), "*.yaml"))
        {
            foreach (var doc in YamlJson.Documents(File.ReadAllText(file)))
            {
                if (doc is JsonObject obj && ((string?)obj["apiVersion"])?.StartsWith("drover.dev/", StringComparison.Ordinal) == true)
                {
                    yield return (Path.GetFileName(file), obj);
                }
            }
        }
    }

    [RepositoryFact]
    public void Every_crd_schema_parses()
    {
        var schemas = LoadSchemasByKind();
        Assert.Contains("drover.dev/v1alpha1/Agent", schemas.Keys);
        Assert.Contains("drover.dev/v1alpha1/ModelProvider", schemas.Keys);
        Assert.Contains("drover.dev/v1alpha1/Schedule", schemas.Keys);
    }

    [RepositoryFact]
    public void Every_sample_is_admitted_without_pruning_or_errors()
    {
        var schemas = LoadSchemasByKind();
        var samples = Samples().ToList();
        Assert.NotEmpty(samples);

        foreach (var (file, sample) in samples)
        {
            var schema = schemas[$"{sample["apiVersion"]}/{sample["kind"]}"];
            var pruned = schema.Prune(sample);
            schema.ApplyDefaults(sample);
            var errors = schema.Validate(sample);

            Assert.True(pruned.Count == 0, $"{file}: pruned {string.Join(", ", pruned)}");
            Assert.True(errors.Count == 0, $"{file}: {string.Join("; ", errors)}");
        }
    }

    [RepositoryFact]
    public void A_sample_agent_with_a_typo_and_a_bad_enum_is_pruned_and_rejected()
    {
        var schemas = LoadSchemasByKind();
        var (_, agent) = Samples().First(s => (string?)s.Object["kind"] == "Agent");
        var schema = schemas["drover.dev/v1alpha1/Agent"];
        agent["spec"]!["replicaz"] = 3;
        agent["spec"]!["placement"] = new JsonObject { ["architectures"] = new JsonArray("arm64", "sparc") };

        var pruned = schema.Prune(agent);
        schema.ApplyDefaults(agent);
        var errors = schema.Validate(agent);

        Assert.Equal(["spec.replicaz"], pruned);
        var error = Assert.Single(errors);
        Assert.Equal("spec.placement.architectures[1]", error.Field);
        Assert.Equal("FieldValueNotSupported", error.Reason);
        Assert.StartsWith("Unsupported value: \"sparc\": supported values: ", error.Message);
    }
}
