using k8s.Models;

namespace Drover.Operator.Schedules;

/// <summary>
/// Is a Schedule's run stuck? A run is a Job its CronJob started. One still running past its deadline blocks every
/// later run under concurrencyPolicy Forbid, and Kubernetes says nothing about it, so the Schedule must.
/// </summary>
internal static class ScheduleRuns
{
    /// <summary>
    /// How long past its own <c>activeDeadlineSeconds</c> a Job may still run before it counts as stuck: the Job
    /// controller stops it at the deadline, and this leaves it time to do so. A Job without a deadline of its own (one
    /// started before the Schedule had a timeout) is stuck as soon as it outlives the Schedule's timeout, since nothing
    /// will stop it.
    /// </summary>
    public static readonly TimeSpan DeadlineGrace = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The oldest unfinished run that is past its deadline, if any, and when the next unfinished run would become
    /// stuck (to look again then).
    /// </summary>
    /// <param name="runs">The Jobs of the Schedule's CronJob.</param>
    /// <param name="timeout">The Schedule's timeout, for Jobs that carry no deadline of their own.</param>
    /// <param name="now">The current time.</param>
    public static RunCheck Check(IEnumerable<V1Job> runs, TimeSpan timeout, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(runs);
        StuckRun? stuck = null;
        DateTimeOffset? recheck = null;
        foreach (var job in runs.Where(j => !IsFinished(j)))
        {
            var started = StartOf(job);
            var own = job.Spec?.ActiveDeadlineSeconds is long seconds and > 0 ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
            var deadline = own ?? timeout;
            var stuckAt = started + deadline + (own is null ? TimeSpan.Zero : DeadlineGrace);
            if (stuckAt <= now)
            {
                if (stuck is null || started < stuck.Started)
                {
                    stuck = new StuckRun(job, started, deadline, OwnDeadline: own is not null);
                }
            }
            else if (recheck is null || stuckAt < recheck)
            {
                recheck = stuckAt;
            }
        }

        return new RunCheck(stuck, recheck);
    }

    /// <summary>The Job completed or failed (including at its deadline).</summary>
    public static bool IsFinished(V1Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.Status?.CompletionTime is not null
            || job.Status?.Conditions?.Any(c => (c.Type is "Complete" or "Failed") && c.Status == "True") == true;
    }

    private static DateTimeOffset StartOf(V1Job job)
    {
        var start = job.Status?.StartTime ?? job.Metadata.CreationTimestamp ?? DateTime.UnixEpoch;
        return new DateTimeOffset(DateTime.SpecifyKind(start, DateTimeKind.Utc));
    }
}

/// <summary>A run still going past its deadline.</summary>
/// <param name="Job">The Job of the run.</param>
/// <param name="Started">When it started.</param>
/// <param name="Deadline">Its deadline: its own activeDeadlineSeconds, else the Schedule's timeout.</param>
/// <param name="OwnDeadline">Whether the Job carries the deadline (so the Job controller should have stopped it).</param>
internal sealed record StuckRun(V1Job Job, DateTimeOffset Started, TimeSpan Deadline, bool OwnDeadline);

/// <summary>What <see cref="ScheduleRuns.Check"/> found.</summary>
/// <param name="Stuck">The oldest stuck run, or null.</param>
/// <param name="Recheck">When the next running Job would become stuck, or null when none runs.</param>
internal sealed record RunCheck(StuckRun? Stuck, DateTimeOffset? Recheck);
