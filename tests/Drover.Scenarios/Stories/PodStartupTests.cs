using Drover.Operator.Cluster;
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

        // Both pods run, and nothing of them is in the operator's memory: it holds only pods that wait for a person.
        Assert.Equal(2, (await scenario.ListAsync(OperatorKinds.Pods)).Count);
        Assert.Equal(0, scenario.Operator!.Informers.Pods.Cache.Count);
    }

    [Fact]
    public async Task An_image_that_cannot_be_pulled_shows_ImagePullBackOff_in_the_Agents_Ready_message_within_seconds()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        scenario.Server.Images.FailPull(Image);
        await scenario.ApplyYamlAsync(Inputs());
        await scenario.StartOperatorAsync();

        // The Deployment would call this a stalled rollout only after its 600 s progress deadline.
        var agent = await scenario.WaitForAsync(
            OperatorKinds.Agents,
            "a",
            a => a.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready") is { Status: "False", Reason: "ImagePullBackOff" } ready
                && ready.Message.Contains("waiting with ImagePullBackOff", StringComparison.Ordinal),
            "Ready=False (ImagePullBackOff) with the kubelet's message",
            timeout: TimeSpan.FromSeconds(10));
        var message = agent.Status!.Conditions!.Single(c => c.Type == "Ready").Message;
        Assert.Contains("ghcr.io/drover-dev/echo-agent:0.1.0", message);

        // The operator holds that one pod, and only while it waits: a running fleet's pods are not cached.
        var pods = scenario.Operator!.Informers.Pods.Cache;
        Assert.Equal(["a"], pods.List().Select(p => p.Metadata.Labels["app.kubernetes.io/instance"]));

        // Fixed (the registry has the image again): the agent starts, and the message goes with the problem.
        scenario.Server.Images.Reset(Image);
        await scenario.WaitForAgentAsync("a", "True", "Available");
        await Eventually.TrueAsync(() => Task.FromResult(pods.Count == 0), "the started pod to leave the operator's cache");
        Assert.NotEmpty(await scenario.ListAsync(OperatorKinds.Pods));
    }

    [Fact]
    public async Task A_crashing_agent_says_CrashLoopBackOff()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        scenario.Server.Images.Crash(Image);
        await scenario.ApplyYamlAsync(Inputs());
        await scenario.StartOperatorAsync();

        await scenario.WaitForAsync(
            OperatorKinds.Agents,
            "a",
            a => a.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready") is { Status: "False", Reason: "CrashLoopBackOff" },
            "Ready=False (CrashLoopBackOff)",
            timeout: TimeSpan.FromSeconds(10));
    }
}
