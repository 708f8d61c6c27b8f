using System.Text;
using Drover.Operator;
using Drover.Scenarios.Support;

namespace Drover.Scenarios.Stories;

/// <summary>
/// `drover render` of the samples, piped unchanged into the official-schema validation, is valid as printed and
/// carries no secret value.
/// </summary>
public sealed class RenderValidationTests
{
    [NodeValidatorFact]
    public async Task Rendered_samples_validate_as_printed_against_the_official_Kubernetes_schemas_and_show_no_secret()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = DroverCommands.Invoke(["render", "-f", Repository.Path("config", "samples")], output, error);
        Assert.True(exit == 0, error.ToString());
        var printed = output.ToString();
        Assert.Equal(
            ["CronJob", "Deployment", "NetworkPolicy", "Secret", "Service", "ServiceAccount"],
            YamlJson.Documents(printed).Select(o => (string)o["kind"]!).Order(StringComparer.Ordinal));

        // The sample provider's key, as written in its Secret and as the agent's Secret would carry it.
        Assert.DoesNotContain("sk-replace-me", printed, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("sk-replace-me")), printed, StringComparison.Ordinal);

        var (code, report) = await Preconditions.RunAsync(
            "node",
            [Repository.Path("hack", "validate-manifests.mjs")],
            Repository.Root,
            TimeSpan.FromMinutes(2),
            stdin: printed);
        Assert.True(code == 0, report);
        Assert.DoesNotContain("INVALID", report, StringComparison.Ordinal);
        Assert.Contains("6 objects, 0 invalid", report, StringComparison.Ordinal);
    }
}
