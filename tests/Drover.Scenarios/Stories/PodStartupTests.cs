using Drover.Scenarios.Support;
using Xunit.Abstractions;

namespace Drover.Scenarios.Stories;

/// <summary>Agents start on the images people actually use, and when a pod cannot start, the Agent says why at once.</summary>
public sealed class PodStartupTests(ITestOutputHelper output)
{
    private const string Image = "ghcr.io/drover-dev/echo-agent";

    private const string Provider = "openai";

    private static string Inputs(string agentExtra = "") =>
        Manifests.Secret("openai-key", "api-key", "sk-1") + "\n---\n" + Manifests.OpenAIProvider(Provider, "openai-key") + "\n---\n"
        + Manifests.Agent("a", Provider, extra: agentExtra);

    [Fact]
    public async Task An_image_whose_user_is_root_or_a_name_starts_under_the_default_non_root_user()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        scenario.Server.Images.RunAsRoot(Image).RunAsUserName("node", "ghcr.io/drover-dev/named-user");
        await scenario.ApplyYamlAsync(Inputs() + "\n---\n" + Manifests.Agent("named", Provider).Replace(Image + ":0.1.0", "ghcr.io/drover-dev/named-user:1", StringComparison.Ordinal));
        await scenario.StartOperatorAsync();

        await scenario.WaitForAgentAsync("a", "True", "Available");
        await scenario.WaitForAgentAsync("named", "True", "Available");
    }
}
