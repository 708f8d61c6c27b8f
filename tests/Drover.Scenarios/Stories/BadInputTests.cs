using Drover.Operator.Cluster;
using Drover.Scenarios.Support;
using Xunit.Abstractions;

namespace Drover.Scenarios.Stories;

/// <summary>
/// A mistake in the input is reported, not retried: the right Ready reason, a Warning Event, a quiet operator, and
/// recovery as soon as the user fixes it.
/// </summary>
public sealed class BadInputTests(ITestOutputHelper output)
{
    public sealed record Case(string Name, string Broken, string Kind, string Object, string Reason, string Fix, string? AlsoAgentReason = null)
    {
        public override string ToString() => Name;
    }

    private static readonly Dictionary<string, Case> Cases = new[]
    {
        new Case(
            "missing Secret",
            Manifests.OpenAIProvider("openai", "openai-key") + "\n---\n" + Manifests.Agent("a", "openai"),
            "ModelProvider", "openai", "SecretNotFound",
            Manifests.Secret("openai-key", "api-key", "sk-1"),
            AlsoAgentReason: "ProviderNotReady"),
        new Case(
            "missing key",
            Manifests.Secret("openai-key", "apikey", "sk-1") + "\n---\n" + Manifests.OpenAIProvider("openai", "openai-key") + "\n---\n" + Manifests.Agent("a", "openai"),
            "ModelProvider", "openai", "KeyNotFound",
            Manifests.Secret("openai-key", "api-key", "sk-1"),
            AlsoAgentReason: "ProviderNotReady"),
        new Case(
            "unknown provider",
            Manifests.Secret("openai-key", "api-key", "sk-1") + "\n---\n" + Manifests.Agent("a", "openia"),
            "Agent", "a", "ProviderNotFound",
            Manifests.OpenAIProvider("openia", "openai-key")),
        new Case(
            "cross-namespace reference not allowed",
            Manifests.Namespace("models") + "\n---\n" + Manifests.Secret("openai-key", "api-key", "sk-1", ns: "models") + "\n---\n"
                + Manifests.OpenAIProvider("shared", "openai-key", ns: "models") + "\n---\n" + Manifests.Agent("a", "shared", providerNamespace: "models"),
            "Agent", "a", "ProviderNotAllowed",
            // The provider admits namespaces labelled team=agents, and the agent's namespace gets that label.
            Manifests.OpenAIProvider("shared", "openai-key", ns: "models", allowed: "{from: Selector, selector: {matchLabels: {team: agents}}}") + "\n---\n"
                + Manifests.Namespace("default", "{team: agents}")),
        new Case(
            "model not in allow-list",
            Manifests.Secret("openai-key", "api-key", "sk-1") + "\n---\n" + Manifests.OpenAIProvider("openai", "openai-key") + "\n---\n" + Manifests.Agent("a", "openai", model: "gpt-5"),
            "Agent", "a", "ModelNotAllowed",
            Manifests.OpenAIProvider("openai", "openai-key", models: "[gpt-4o-mini, gpt-5]")),
        new Case(
            "schedule for a missing agent",
            Manifests.Secret("openai-key", "api-key", "sk-1") + "\n---\n" + Manifests.OpenAIProvider("openai", "openai-key") + "\n---\n" + Manifests.Schedule("nightly", "a"),
            "Schedule", "nightly", "AgentNotFound",
            Manifests.Agent("a", "openai")),
        new Case(
            "agent without runOnce under a schedule",
            Manifests.Secret("openai-key", "api-key", "sk-1") + "\n---\n" + Manifests.OpenAIProvider("openai", "openai-key") + "\n---\n"
                + Manifests.Agent("a", "openai", runOnce: false) + "\n---\n" + Manifests.Schedule("nightly", "a"),
            "Schedule", "nightly", "AgentHasNoRunOnce",
            Manifests.Agent("a", "openai", runOnce: true)),
    }.ToDictionary(c => c.Name);

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Bad_input_is_reported_once_and_recovers_when_fixed(string name)
    {
        var c = Cases[name];
        await using var scenario = await OperatorScenario.CreateAsync(output);
        await scenario.ApplyYamlAsync(c.Broken);
        await scenario.StartOperatorAsync();

        await WaitForReadyAsync(scenario, c.Kind, c.Object, "False", c.Reason);
        await Eventually.TrueAsync(async () => (await scenario.WarningsAsync(c.Object, c.Reason)).Count > 0, $"a Warning Event {c.Reason} about {c.Object}");
        if (c.AlsoAgentReason is { } agentReason)
        {
            await scenario.WaitForAgentAsync("a", "False", agentReason);
            await Eventually.TrueAsync(async () => (await scenario.WarningsAsync("a", agentReason)).Count > 0, $"a Warning Event {agentReason} about the agent");
        }

        if (c.Kind == "Schedule" && c.Reason == "AgentHasNoRunOnce")
        {
            // The agent itself is fine and runs; only the schedule cannot.
            await scenario.WaitForAgentAsync("a", "True", "Available");
        }

        if (c.Kind == "Agent" || c.AlsoAgentReason is not null)
        {
            // A spec that cannot resolve creates nothing half-way.
            Assert.Null(await scenario.GetAsync(OperatorKinds.Deployments, "a"));
        }

        await Quiet.AssertAsync(scenario);

        await scenario.ApplyYamlAsync(c.Fix);
        await scenario.WaitForAgentAsync("a", "True", "Available");
        if (c.Kind == "Schedule")
        {
            await scenario.WaitForScheduleAsync(c.Object, "True", "Scheduled");
            Assert.NotNull(await scenario.GetAsync(OperatorKinds.CronJobs, c.Object));
        }
        else if (c.Kind == "ModelProvider")
        {
            await scenario.WaitForProviderAsync(c.Object, "True", "Resolved");
        }
    }

    private static Task WaitForReadyAsync(OperatorScenario scenario, string kind, string name, string status, string reason) => kind switch
    {
        "Agent" => scenario.WaitForAgentAsync(name, status, reason),
        "Schedule" => scenario.WaitForScheduleAsync(name, status, reason),
        _ => scenario.WaitForProviderAsync(name, status, reason),
    };
}
