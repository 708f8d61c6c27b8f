using Drover.Operator.Schedules;
using Drover.Operator.Tests.TestSupport;
using k8s.Models;

namespace Drover.Operator.Tests.Schedules;

public sealed class ScheduleResolutionTests
{
    private static string Schedule(string spec) => $$"""
        apiVersion: drover.dev/v1alpha1
        kind: Schedule
        metadata: {name: nightly, namespace: team-a}
        spec:
        {{spec}}
        """;

    private const string RunOnceAgent = "runOnce: {command: [agent, -m, \"$(DROVER_PROMPT)\"]}";

    [Fact]
    public void A_missing_Agent_is_AgentNotFound()
    {
        var cluster = Manifests.Cluster(Schedule("  agentRef: {name: ghost}\n  schedule: \"@daily\"\n  prompt: hi"));

        var failure = ScheduleResolver.TryResolve(cluster.Schedules.Single(), cluster, OperatorOptions.Default, out _);

        Assert.Equal(ScheduleReasons.AgentNotFound, failure!.Reason);
        Assert.Contains("Agent \"ghost\" was not found in namespace \"team-a\"", failure.Message);
    }

    [Fact]
    public void An_Agent_without_runOnce_is_AgentHasNoRunOnce()
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("a"), Schedule("  agentRef: {name: a}\n  schedule: \"@daily\"\n  prompt: hi"));

        var failure = ScheduleResolver.TryResolve(cluster.Schedules.Single(), cluster, OperatorOptions.Default, out _);

        Assert.Equal(ScheduleReasons.AgentHasNoRunOnce, failure!.Reason);
        Assert.Contains("set spec.runOnce.args", failure.Message);
        Assert.Contains("spec.runOnce.command, or both", failure.Message);
    }

    [Fact]
    public void An_Agent_with_runOnce_args_alone_runs_the_images_entrypoint_with_them()
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("a", "runOnce: {args: [agent, -m, \"$(DROVER_PROMPT)\"]}"),
            Schedule("  agentRef: {name: a}\n  schedule: \"@daily\"\n  prompt: hi"));

        Assert.Null(ScheduleResolver.TryResolve(cluster.Schedules.Single(), cluster, OperatorOptions.Default, out var plan));
        var container = CronJobBuilder.Build(plan!, OperatorOptions.Default).Spec.JobTemplate.Spec.Template.Spec.Containers.Single();

        Assert.Null(container.Command);
        Assert.Equal(["agent", "-m", "$(DROVER_PROMPT)"], container.Args);
    }

    [Fact]
    public void An_Agent_whose_runOnce_names_nothing_is_AgentHasNoRunOnce()
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("a", "runOnce: {command: [], args: []}"),
            Schedule("  agentRef: {name: a}\n  schedule: \"@daily\"\n  prompt: hi"));

        var failure = ScheduleResolver.TryResolve(cluster.Schedules.Single(), cluster, OperatorOptions.Default, out _);

        Assert.Equal(ScheduleReasons.AgentHasNoRunOnce, failure!.Reason);
    }

    [Fact]
    public void A_bad_cron_or_time_zone_is_InvalidSchedule()
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("a", RunOnceAgent),
            Schedule("  agentRef: {name: a}\n  schedule: \"61 * * * *\"\n  timeZone: Mars/Olympus\n  prompt: hi"));

        var failure = ScheduleResolver.TryResolve(cluster.Schedules.Single(), cluster, OperatorOptions.Default, out _);

        Assert.Equal(ScheduleReasons.InvalidSchedule, failure!.Reason);
        Assert.Contains("spec.schedule", failure.Message);
        Assert.Contains("spec.timeZone", failure.Message);
    }

    [Fact]
    public void An_Agent_that_cannot_resolve_makes_the_Schedule_AgentNotReady()
    {
        var cluster = Manifests.Cluster(Manifests.Agent("a", RunOnceAgent), Schedule("  agentRef: {name: a}\n  schedule: \"@daily\"\n  prompt: hi"));

        var failure = ScheduleResolver.TryResolve(cluster.Schedules.Single(), cluster, OperatorOptions.Default, out _);

        Assert.Equal(ScheduleReasons.AgentNotReady, failure!.Reason);
        Assert.Contains("ProviderNotFound", failure.Message);
    }

    [Fact]
    public void Next_schedule_time_follows_the_time_zone_across_daylight_saving()
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("a", RunOnceAgent),
            Schedule("  agentRef: {name: a}\n  schedule: \"30 7 * * *\"\n  timeZone: Europe/Berlin\n  prompt: hi"));
        var schedule = cluster.Schedules.Single();
        Assert.Null(ScheduleResolver.TryResolve(schedule, cluster, OperatorOptions.Default, out _));

        var winter = ScheduleStatusCalculator.Compute(schedule, null, null, new DateTimeOffset(2025, 1, 10, 12, 0, 0, TimeSpan.Zero));
        var summer = ScheduleStatusCalculator.Compute(schedule, null, null, new DateTimeOffset(2025, 7, 10, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTime(2025, 1, 11, 6, 30, 0, DateTimeKind.Utc), winter.NextScheduleTime);
        Assert.Equal(new DateTime(2025, 7, 11, 5, 30, 0, DateTimeKind.Utc), summer.NextScheduleTime);
        Assert.Equal(ScheduleReasons.Scheduled, winter.Ready.Reason);
        Assert.False(winter.Suspended);
        Assert.Contains("Europe/Berlin", winter.Ready.Message);
    }

    [Fact]
    public void Status_carries_the_CronJobs_times_and_a_suspended_schedule_has_no_next_run()
    {
        var cluster = Manifests.Cluster(Schedule("  agentRef: {name: a}\n  schedule: \"@hourly\"\n  prompt: hi\n  suspend: true"));
        var last = new DateTime(2025, 3, 1, 10, 0, 0, DateTimeKind.Utc);
        var cronJob = new V1CronJob
        {
            Status = new V1CronJobStatus
            {
                LastScheduleTime = last,
                LastSuccessfulTime = last.AddMinutes(2),
                Active = [new V1ObjectReference { Kind = "Job", Name = "nightly-1", NamespaceProperty = "team-a" }],
            },
        };

        var status = ScheduleStatusCalculator.Compute(cluster.Schedules.Single(), null, cronJob, DateTimeOffset.UtcNow);
        var failed = ScheduleStatusCalculator.Compute(cluster.Schedules.Single(), new(ScheduleReasons.AgentNotFound, "gone"), null, DateTimeOffset.UtcNow);

        Assert.Equal(ScheduleReasons.Suspended, status.Ready.Reason);
        Assert.True(status.Suspended);
        Assert.True(failed.Suspended);
        Assert.Null(status.NextScheduleTime);
        Assert.Equal(last, status.LastScheduleTime);
        Assert.Equal(last.AddMinutes(2), status.LastSuccessfulTime);
        Assert.Equal("nightly-1", status.Active!.Single().Name);
        Assert.False(failed.Ready.IsTrue);
        Assert.Equal(ScheduleReasons.AgentNotFound, failed.Ready.Reason);
    }
}
