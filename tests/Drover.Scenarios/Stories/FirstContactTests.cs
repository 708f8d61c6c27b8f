using Drover.Operator.Cluster;
using Drover.Scenarios.Packaging;
using Drover.Scenarios.Support;
using Xunit.Abstractions;

namespace Drover.Scenarios.Stories;

/// <summary>What a new user meets through the real kubectl on the dev cluster, with manifests written as runtimes are used in the wild.</summary>
public sealed class FirstContactTests(ITestOutputHelper output)
{
    [PackagingFact(PackagingTool.Kubectl)]
    public async Task An_agent_whose_image_entrypoint_is_the_agent_runs_scheduled_prompts_with_args_alone()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        using var kubectl = new Kubectl(scenario.Server);

        // PicoClaw style: the entrypoint is the agent binary, so one prompt is `picoclaw agent -m ...` through args.
        await kubectl.ApplyAsync(Manifests.Secret("openai-key", "api-key", "sk-1") + "\n---\n" + Manifests.OpenAIProvider("openai", "openai-key") + """

            ---
            apiVersion: drover.dev/v1alpha1
            kind: Agent
            metadata: {name: picoclaw, namespace: default}
            spec:
              image: docker.io/sipeed/picoclaw:latest
              args: [gateway]
              runOnce:
                args: ["agent", "-m", "$(DROVER_PROMPT)"]
              model: {providerRef: {name: openai}, name: gpt-4o-mini}
            ---

            """ + Manifests.Schedule("digest", "picoclaw"));
        await scenario.StartOperatorAsync();

        await scenario.WaitForAgentAsync("picoclaw", "True", "Available");
        await scenario.WaitForScheduleAsync("digest", "True", "Scheduled");
        var cronJob = await scenario.GetAsync(OperatorKinds.CronJobs, "digest");
        var container = Assert.Single(cronJob!.Spec.JobTemplate.Spec.Template.Spec.Containers);
        Assert.Null(container.Command);
        Assert.Equal(["agent", "-m", "$(DROVER_PROMPT)"], container.Args);
        Assert.Contains(container.Env, e => e.Name == "DROVER_PROMPT" && e.Value == "Say hello.");
    }

    [PackagingFact(PackagingTool.Kubectl)]
    public async Task Kubectl_get_shows_the_readme_columns_the_model_that_runs_why_a_change_did_not_and_a_held_schedule()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        using var kubectl = new Kubectl(scenario.Server);
        var world = Manifests.Secret("openai-key", "api-key", "sk-1") + "\n---\n" + Manifests.OpenAIProvider("openai", "openai-key") + "\n---\n";
        await kubectl.ApplyAsync(world + Manifests.Agent("bot", "openai") + "\n---\n" + Manifests.Schedule("digest", "bot", "30 7 * * *"));
        await scenario.StartOperatorAsync();
        await scenario.WaitForAgentAsync("bot", "True", "Available");
        await scenario.WaitForScheduleAsync("digest", "True", "Scheduled");

        var readme = ReadmeColumns();
        foreach (var (resource, columns) in readme)
        {
            Assert.Equal(columns, Kubectl.Header(await kubectl.OkAsync("get", resource)));
        }

        Assert.Equal(["agents", "modelproviders", "schedules"], readme.Keys.Order(StringComparer.Ordinal));
        var agent = Assert.Single(Kubectl.Rows(await kubectl.OkAsync("get", "ag")));
        Assert.Equal(("bot", "gpt-4o-mini", "True", "Available"), (agent["NAME"], agent["MODEL"], agent["READY"], agent["REASON"]));
        var schedule = Assert.Single(Kubectl.Rows(await kubectl.OkAsync("get", "sched")));
        Assert.Equal(("30 7 * * *", "false", "True", "Scheduled"), (schedule["SCHEDULE"], schedule["SUSPENDED"], schedule["READY"], schedule["REASON"]));

        // A model the provider does not allow: the processes keep the last model that resolved, and the row says why.
        await kubectl.ApplyAsync(Manifests.Agent("bot", "openai", model: "o3-pro"));
        await scenario.WaitForAgentAsync("bot", "False", "ModelNotAllowed");
        agent = Assert.Single(Kubectl.Rows(await kubectl.OkAsync("get", "agents", "-o", "wide")));
        Assert.Equal(("gpt-4o-mini", "o3-pro", "False", "ModelNotAllowed"), (agent["MODEL"], agent["REQUESTED"], agent["READY"], agent["REASON"]));

        // Its Agent gone, the Schedule cannot run: the operator suspends the CronJob, and the row shows it.
        await kubectl.OkAsync("delete", "agent", "bot");
        await scenario.WaitForScheduleAsync("digest", "False", "AgentNotFound");
        schedule = Assert.Single(Kubectl.Rows(await kubectl.OkAsync("get", "schedules")));
        Assert.Equal(("true", "False", "AgentNotFound"), (schedule["SUSPENDED"], schedule["READY"], schedule["REASON"]));
        Assert.Equal("true", await kubectl.OkAsync("get", "cronjob", "digest", "-o", "jsonpath={.spec.suspend}"));
    }

    /// <summary>The columns the README documents for each kind, from its <c>kubectl get &lt;kind&gt;   # NAME ...</c> lines.</summary>
    private static Dictionary<string, string[]> ReadmeColumns() =>
        File.ReadAllLines(Repository.Path("README.md"))
            .Select(line => System.Text.RegularExpressions.Regex.Match(line, @"^kubectl get (\w+)\s+# (NAME .*)$"))
            .Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);

    [PackagingFact(PackagingTool.Kubectl)]
    public async Task An_empty_runOnce_is_rejected_by_kubectl_apply_naming_the_field()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        using var kubectl = new Kubectl(scenario.Server);

        var apply = await kubectl.RunAsync(["apply", "-f", "-"], """
            apiVersion: drover.dev/v1alpha1
            kind: Agent
            metadata: {name: picoclaw, namespace: default}
            spec:
              image: docker.io/sipeed/picoclaw:latest
              runOnce: {}
              model: {providerRef: {name: openai}}
            """);

        Assert.True(apply.ExitCode != 0, apply.Describe());
        Assert.Contains("spec.runOnce", apply.StandardError, StringComparison.Ordinal);
        Assert.Contains("at least 1 properties", apply.StandardError, StringComparison.Ordinal);
    }
}
