using Drover.Api.Scheduling;
using Drover.Api.V1Alpha1;
using Drover.Operator.Agents;
using Drover.Operator.Status;
using k8s.Models;

namespace Drover.Operator.Schedules;

/// <summary>
/// A Schedule's observed state; the conditions still need merging. <c>Suspended</c>: no new run starts, by spec.suspend or
/// because the Schedule cannot run (its CronJob is suspended).
/// </summary>
internal sealed record ScheduleStatusSnapshot(
    DesiredCondition Ready,
    bool Suspended,
    DateTime? NextScheduleTime,
    DateTime? LastScheduleTime,
    DateTime? LastSuccessfulTime,
    IReadOnlyList<V1ObjectReference>? Active)
{
    /// <summary>When a run now going would pass its deadline, so the status is looked at again then.</summary>
    public DateTimeOffset? RunRecheck { get; init; }
}

/// <summary>Decides a Schedule's status from its resolution and its CronJob.</summary>
internal static class ScheduleStatusCalculator
{
    /// <param name="schedule">The Schedule as stored.</param>
    /// <param name="failure">Why it cannot be resolved, or null.</param>
    /// <param name="cronJob">Its CronJob from the cache, or null.</param>
    /// <param name="now">The current time; the next run is the first one strictly after it.</param>
    /// <param name="runs">The Jobs the CronJob started (its runs), from the cache.</param>
    public static ScheduleStatusSnapshot Compute(Schedule schedule, ResolutionFailure? failure, V1CronJob? cronJob, DateTimeOffset now, IReadOnlyList<V1Job>? runs = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var last = cronJob?.Status?.LastScheduleTime;
        var lastSuccess = cronJob?.Status?.LastSuccessfulTime;
        var active = cronJob?.Status?.Active is { Count: > 0 } jobs ? jobs.ToList() : null;
        if (failure is not null)
        {
            // The reconciler suspends the CronJob of a Schedule that cannot run; without one, nothing runs either.
            return new ScheduleStatusSnapshot(DesiredCondition.Failed(ConditionTypes.Ready, failure.Reason, failure.Message), true, null, last, lastSuccess, active);
        }

        var spec = schedule.Spec;
        var timeout = TimeSpan.FromSeconds(spec.TimeoutSeconds ?? Defaults.ScheduleTimeoutSeconds);
        var check = ScheduleRuns.Check(runs ?? [], timeout, now);
        if (check.Stuck is { } stuck)
        {
            return new ScheduleStatusSnapshot(
                DesiredCondition.Failed(ConditionTypes.Ready, ScheduleReasons.RunStuck, StuckMessage(stuck, spec.ConcurrencyPolicy, now)),
                spec.Suspend == true,
                spec.Suspend == true ? null : NextScheduleTime(schedule, now),
                last,
                lastSuccess,
                active)
            { RunRecheck = check.Recheck };
        }

        if (spec.Suspend == true)
        {
            return new ScheduleStatusSnapshot(
                DesiredCondition.Met(ConditionTypes.Ready, ScheduleReasons.Suspended, "The schedule is suspended; runs already started finish, no new ones start."),
                true,
                null,
                last,
                lastSuccess,
                active);
        }

        var next = NextScheduleTime(schedule, now);
        var zone = string.IsNullOrEmpty(spec.TimeZone) ? Defaults.TimeZone : spec.TimeZone;
        var message = next is { } n
            ? $"Runs \"{spec.Schedule}\" in {zone}; next run at {n:yyyy-MM-dd'T'HH:mm:ss'Z'}."
            : $"\"{spec.Schedule}\" does not fire again.";
        return new ScheduleStatusSnapshot(DesiredCondition.Met(ConditionTypes.Ready, ScheduleReasons.Scheduled, message), false, next, last, lastSuccess, active)
        {
            RunRecheck = check.Recheck,
        };
    }

    private static string StuckMessage(StuckRun stuck, string? concurrencyPolicy, DateTimeOffset now)
    {
        var job = stuck.Job.Metadata;
        var running = now - stuck.Started;
        var deadline = stuck.OwnDeadline
            ? $"its activeDeadlineSeconds of {stuck.Deadline.TotalSeconds:0} and Kubernetes has not stopped it"
            : $"the Schedule's timeoutSeconds of {stuck.Deadline.TotalSeconds:0}, and the Job has no deadline of its own to stop it";
        var effect = (concurrencyPolicy ?? ConcurrencyPolicies.Forbid) == ConcurrencyPolicies.Forbid
            ? "With concurrencyPolicy Forbid no later run starts until it ends"
            : "Later runs still start beside it";
        return $"Run Job {job.NamespaceProperty}/{job.Name} has been running for {running.TotalSeconds:0} s (since {stuck.Started:yyyy-MM-dd'T'HH:mm:ss'Z'}), past {deadline}. "
            + $"{effect}; delete the Job (kubectl delete job -n {job.NamespaceProperty} {job.Name}) to end it.";
    }

    /// <summary>The next run strictly after <paramref name="now"/>, in UTC, read in the schedule's time zone (daylight-saving aware).</summary>
    public static DateTime? NextScheduleTime(Schedule schedule, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return ScheduleTimes.Next(schedule.Spec.Schedule, schedule.Spec.TimeZone, now)?.UtcDateTime;
    }
}
