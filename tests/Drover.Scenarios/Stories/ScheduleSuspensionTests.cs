using Drover.Operator.Cluster;
using Drover.Operator.Hosting;
using Drover.Scenarios.Support;
using Xunit.Abstractions;

namespace Drover.Scenarios.Stories;

/// <summary>
/// A Schedule whose Agent stops being runnable must not keep starting Jobs on a configuration that is gone: its
/// CronJob is suspended (history kept), and resumes once the Agent is back.
/// </summary>
public sealed class ScheduleSuspensionTests(ITestOutputHelper output)
{
    private static readonly string Provider =
        Manifests.Secret("openai-key", "api-key", "sk-1") + "\n---\n" + Manifests.OpenAIProvider("openai", "openai-key");

    /// <summary>An agent "a" with runOnce and a Schedule "nightly" for it, Ready under a running operator.</summary>
    private async Task<OperatorScenario> ScheduledAgentAsync()
    {
        var scenario = await OperatorScenario.CreateAsync(output);
        await scenario.ApplyYamlAsync(Provider + "\n---\n" + Manifests.Agent("a", "openai") + "\n---\n" + Manifests.Schedule("nightly", "a"));
        await scenario.StartOperatorAsync();
        await scenario.WaitForScheduleAsync("nightly", "True", "Scheduled");
        return scenario;
    }

    [Fact]
    public async Task A_schedule_whose_agent_cannot_run_suspends_its_cronjob_and_resumes_when_fixed()
    {
        await using var scenario = await ScheduledAgentAsync();
        var first = await scenario.WaitForAsync(OperatorKinds.CronJobs, "nightly", c => c.Spec.Suspend == false, "running");

        // The agent loses its runOnce command: the schedule cannot run it.
        await scenario.ApplyYamlAsync(Manifests.Agent("a", "openai", runOnce: false));
        await scenario.WaitForScheduleAsync("nightly", "False", "AgentHasNoRunOnce");
        await scenario.WaitForAsync(OperatorKinds.CronJobs, "nightly", c => c.Spec.Suspend == true, "suspended while the agent has no runOnce");

        await scenario.ApplyYamlAsync(Manifests.Agent("a", "openai"));
        await scenario.WaitForScheduleAsync("nightly", "True", "Scheduled");
        await scenario.WaitForAsync(OperatorKinds.CronJobs, "nightly", c => c.Spec.Suspend == false, "resumed");

        // The agent is deleted (its config Secret goes with it): the schedule suspends, keeping the same CronJob.
        await scenario.DeleteAsync(OperatorKinds.Agents, "a");
        await scenario.WaitForScheduleAsync("nightly", "False", "AgentNotFound");
        var suspended = await scenario.WaitForAsync(OperatorKinds.CronJobs, "nightly", c => c.Spec.Suspend == true, "suspended while the agent is gone");
        Assert.Equal(first.Metadata.Uid, suspended.Metadata.Uid);

        await scenario.ApplyYamlAsync(Manifests.Agent("a", "openai"));
        await scenario.WaitForScheduleAsync("nightly", "True", "Scheduled");
        await scenario.WaitForAsync(OperatorKinds.CronJobs, "nightly", c => c.Spec.Suspend == false, "resumed after the agent came back");

        // The recreated agent's rollout finishing is work too; quiet means after it.
        await scenario.WaitForAgentAsync("a", "True", "Available");
        await Quiet.AssertAsync(scenario);
    }

    [Fact]
    public async Task A_schedule_the_user_suspended_stays_suspended_and_says_so()
    {
        await using var scenario = await ScheduledAgentAsync();

        await scenario.MergePatchAsync(OperatorKinds.Schedules, "nightly", """{"spec":{"suspend":true}}""");
        await scenario.WaitForScheduleAsync("nightly", "True", "Suspended");
        await scenario.WaitForAsync(OperatorKinds.CronJobs, "nightly", c => c.Spec.Suspend == true, "suspended by the user");

        await scenario.MergePatchAsync(OperatorKinds.Schedules, "nightly", """{"spec":{"suspend":false}}""");
        await scenario.WaitForScheduleAsync("nightly", "True", "Scheduled");
        await scenario.WaitForAsync(OperatorKinds.CronJobs, "nightly", c => c.Spec.Suspend == false, "resumed by the user");
    }
}
