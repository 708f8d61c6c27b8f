using System.Text.Json.Nodes;
using Drover.Operator;
using Drover.Scenarios.Support;

namespace Drover.Scenarios.Stories;

/// <summary>Every object `drover render` prints for the samples is one the API server's official schemas accept.</summary>
public sealed class RenderValidationTests
{
    /// <summary>Stands in for the uid the API server gives an owner; an offline render cannot know it.</summary>
    private const string PlaceholderOwnerUid = "00000000-0000-4000-8000-000000000000";

    [NodeValidatorFact]
    public async Task Rendered_samples_validate_against_the_official_Kubernetes_schemas()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = DroverCommands.Invoke(["render", "-f", Repository.Path("config", "samples")], output, error);
        Assert.True(exit == 0, error.ToString());
        var objects = YamlJson.Documents(output.ToString());
        Assert.Equal(
            ["CronJob", "Deployment", "NetworkPolicy", "Secret", "Service", "ServiceAccount"],
            objects.Select(o => (string)o["kind"]!).Order(StringComparer.Ordinal));

        foreach (var owner in objects.SelectMany(o => o["metadata"]?["ownerReferences"]?.AsArray() ?? []).OfType<JsonObject>())
        {
            owner["uid"] ??= PlaceholderOwnerUid;
        }

        var list = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = new JsonArray([.. objects]) };
        var (code, report) = await Preconditions.RunAsync(
            "node",
            [Repository.Path("hack", "validate-manifests.mjs")],
            Repository.Root,
            TimeSpan.FromMinutes(2),
            stdin: list.ToJsonString());
        Assert.True(code == 0, report);
        Assert.DoesNotContain("INVALID", report, StringComparison.Ordinal);
    }
}
