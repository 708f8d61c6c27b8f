using Drover.Api.V1Alpha1;
using Drover.Operator.Schedules;
using Drover.Operator.Tests.TestSupport;
using k8s.Models;

namespace Drover.Operator.Tests.Schedules;

public sealed class ScheduleRunsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private static Schedule Schedule(string extra = "") => Manifests.Cluster($$"""
        apiVersion: drover.dev/v1alpha1
        kind: Schedule
        metadata: {name: nightly, namespace: team-a}
        spec:
          agentRef: {name: a}
          schedule: "0 0 1 7 *"
          prompt: hi
        {{extra}}
        """).Schedules.Single();

    private static V1Job Job(string name, TimeSpan runningFor, long? deadline = null, string? finished = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "team-a" },
        Spec = new V1JobSpec { ActiveDeadlineSeconds = deadline },
        Status = new V1JobStatus
        {
            StartTime = (Now - runningFor).UtcDateTime,
            Conditions = finished is null ? null : [new V1JobCondition { Type = finished, Status = "True" }],
        },
    };

    [Fact]
    public void A_run_without_a_deadline_of_its_own_that_outlived_the_default_timeout_makes_the_Schedule_not_Ready_naming_it()
    {
        var status = ScheduleStatusCalculator.Compute(Schedule(), null, null, Now, [Job("nightly-29001", TimeSpan.FromHours(5))]);

        Assert.False(status.Ready.IsTrue);
        Assert.Equal(ScheduleReasons.RunStuck, status.Ready.Reason);
        Assert.Contains("team-a/nightly-29001", status.Ready.Message, StringComparison.Ordinal);
        Assert.Contains("timeoutSeconds of 3600", status.Ready.Message, StringComparison.Ordinal);
        Assert.Contains("no later run starts", status.Ready.Message, StringComparison.Ordinal);
        Assert.NotNull(status.NextScheduleTime);
    }

    [Fact]
    public void A_run_past_its_own_deadline_is_stuck_only_after_the_Job_controller_had_time_to_stop_it()
    {
        var justPast = Job("nightly-1", TimeSpan.FromSeconds(600 + 30), deadline: 600);
        var wellPast = Job("nightly-1", TimeSpan.FromSeconds(600) + ScheduleRuns.DeadlineGrace, deadline: 600);

        var early = ScheduleRuns.Check([justPast], TimeSpan.FromHours(1), Now);
        var late = ScheduleRuns.Check([wellPast], TimeSpan.FromHours(1), Now);

        Assert.Null(early.Stuck);
        Assert.Equal(Now + TimeSpan.FromSeconds(30), early.Recheck);
        Assert.Equal("nightly-1", late.Stuck!.Job.Metadata.Name);
        Assert.True(late.Stuck.OwnDeadline);
    }

    [Fact]
    public void Finished_runs_and_runs_within_their_timeout_are_not_stuck_and_the_Schedule_looks_again_when_one_would_be()
    {
        V1Job[] runs =
        [
            Job("done", TimeSpan.FromHours(9), finished: "Complete"),
            Job("timed-out", TimeSpan.FromHours(9), finished: "Failed"),
            Job("running", TimeSpan.FromSeconds(100)),
        ];

        var status = ScheduleStatusCalculator.Compute(Schedule("  timeoutSeconds: 300"), null, null, Now, runs);

        Assert.Equal(ScheduleReasons.Scheduled, status.Ready.Reason);
        Assert.Equal(Now + TimeSpan.FromSeconds(200), status.RunRecheck);
    }

    [Fact]
    public void Under_Allow_a_stuck_run_is_reported_and_later_runs_are_said_to_still_start()
    {
        var status = ScheduleStatusCalculator.Compute(Schedule("  concurrencyPolicy: Allow\n  timeoutSeconds: 60"), null, null, Now, [Job("nightly-7", TimeSpan.FromMinutes(2))]);

        Assert.Equal(ScheduleReasons.RunStuck, status.Ready.Reason);
        Assert.Contains("Later runs still start", status.Ready.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_CronJob_stops_a_run_after_an_hour_by_default()
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("a", "runOnce: {command: [agent]}"), """
            apiVersion: drover.dev/v1alpha1
            kind: Schedule
            metadata: {name: nightly, namespace: team-a}
            spec: {agentRef: {name: a}, schedule: "@daily", prompt: hi}
            """);
        Assert.Null(ScheduleResolver.TryResolve(cluster.Schedules.Single(), cluster, OperatorOptions.Default, out var plan));

        var cronJob = CronJobBuilder.Build(plan!, OperatorOptions.Default);

        Assert.Equal(3600, cronJob.Spec.JobTemplate.Spec.ActiveDeadlineSeconds);
    }
}
