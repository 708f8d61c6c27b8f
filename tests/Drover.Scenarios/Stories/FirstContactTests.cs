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
