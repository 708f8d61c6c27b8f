using System.Text.Json.Nodes;
using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Apply;
using Drover.ControllerRuntime.Controllers;
using Drover.Operator.Agents;
using Drover.Operator.Children;
using Drover.Operator.Cluster;
using Drover.Operator.Observability;
using Drover.Operator.Status;
using Microsoft.Extensions.Logging;

namespace Drover.Operator.Schedules;

/// <summary>
/// Keeps a Schedule's CronJob in line with the Schedule and its Agent, and reports the CronJob's runs and the next
/// run time. Kubernetes keeps the clock; the operator only looks again when the next run is due, so
/// <c>nextScheduleTime</c> moves on. A Schedule that cannot run (its Agent gone, without runOnce, or unresolvable)
/// has its CronJob suspended rather than deleted: no Job starts on a missing or stale configuration, the run history
/// stays, and the next successful apply resumes it. It reports why and waits for its Agent (watched) to change.
/// </summary>
internal sealed class ScheduleReconciler(
    OperatorInformers informers,
    ChildWriter children,
    StatusWriter statuses,
    ResourceApplier applier,
    EventRecorder events,
    OperatorOptions options,
    ILogger<ScheduleReconciler> logger,
    TimeProvider time) : IReconciler<Schedule>
{
    /// <summary>Past the due time, so the CronJob controller has recorded the run when the status is read again.</summary>
    private static readonly TimeSpan AfterRunMargin = TimeSpan.FromSeconds(2);

    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest<Schedule> request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Object is not { } schedule || schedule.Metadata.DeletionTimestamp is not null)
        {
            if (request.Object is null)
            {
                informers.GatewayKeys.Forget(request.Key.Namespace ?? "", Gateway.GatewayKey.SecretName(request.Key.Name));
            }

            return ReconcileResult.Done;
        }

        var ns = schedule.Metadata.NamespaceProperty;
        if (informers.Agents.Cache.Get(ns, ScheduleReferences.AgentName(schedule)) is { } agent)
        {
            await AgentReferences.ReadyAsync(agent, informers, cancellationToken);
        }

        var failure = ScheduleResolver.TryResolve(schedule, informers, options, out var plan);
        var live = informers.CronJobs.Cache.Get(ns, schedule.Metadata.Name);
        if (plan is not null)
        {
            // An object of a child's name that is not this Schedule's is left alone, and the Schedule cannot run.
            var desired = ScheduleChildren.Build(plan, options);
            var uncached = children.ReadUncached(desired.All, cancellationToken);
            foreach (var child in desired.All)
            {
                if ((failure = (await children.ApplyAsync(schedule, child, cancellationToken, uncached)).Failure) is not null)
                {
                    break;
                }
            }

            if (failure is null)
            {
                // A Schedule whose agent left the gateway has no key to keep.
                await children.PruneAsync(schedule, desired.All, cancellationToken);
            }
        }

        var now = time.GetUtcNow();
        var runs = live?.Metadata.Uid is { } cronJobUid ? informers.Jobs.Cache.OwnedBy(cronJobUid) : [];
        var snapshot = ScheduleStatusCalculator.Compute(schedule, failure, live, now, runs);
        var status = new ScheduleStatus
        {
            ObservedGeneration = schedule.Metadata.Generation,
            Suspended = snapshot.Suspended,
            LastScheduleTime = snapshot.LastScheduleTime,
            LastSuccessfulTime = snapshot.LastSuccessfulTime,
            NextScheduleTime = snapshot.NextScheduleTime,
            Active = snapshot.Active?.ToList(),

            // Written by the gateway with its own field manager; carried so this patch never clears it.
            Usage = schedule.Status?.Usage,
            Conditions = StatusConditions.Merge(schedule.Status?.Conditions, [snapshot.Ready], schedule.Metadata.Generation, now),
        };
        await statuses.WriteAsync(schedule, status, cancellationToken);

        if (failure is not null)
        {
            // Only a CronJob this Schedule controls is suspended: another one is not Drover's to touch.
            if (live is { Spec.Suspend: not true } && live.Metadata.OwnerReferences?.Any(r => r.Controller == true && r.Uid == schedule.Metadata.Uid) == true)
            {
                await applier.MergePatchAsync(ChildKinds.CronJobs.Resource, live, SuspendPatch(), cancellationToken);
                OperatorLog.CronJobSuspended(logger, ns, schedule.Metadata.Name, failure.Reason);
            }

            OperatorLog.ScheduleNotReady(logger, ns, schedule.Metadata.Name, failure.Reason, failure.Message);
            await events.WarningAsync(schedule, failure.Reason, "Resolve", failure.Message, cancellationToken);
            return failure.Reason switch
            {
                // The object in the way is not in the operator's caches, so no watch says when it is gone.
                ChildReasons.NameConflict => ReconcileResult.After(AgentReconciler.NameConflictRetryInterval),
                ChildReasons.ApplyFailed => ReconcileResult.Failed(failure.Message),
                _ => ReconcileResult.Done,
            };
        }

        if (snapshot.Ready.Reason == ScheduleReasons.RunStuck)
        {
            OperatorLog.ScheduleNotReady(logger, ns, schedule.Metadata.Name, snapshot.Ready.Reason, snapshot.Ready.Message);
            await events.WarningAsync(schedule, snapshot.Ready.Reason, "Run", snapshot.Ready.Message, cancellationToken);
        }

        // Look again when the next run is due, or when a run now going would pass its deadline, whichever is first.
        DateTimeOffset? wake = snapshot.NextScheduleTime is { } next ? new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc)) : null;
        if (snapshot.RunRecheck is { } recheck && (wake is null || recheck < wake))
        {
            wake = recheck;
        }

        if (wake is { } at)
        {
            var due = at - now + AfterRunMargin;
            return ReconcileResult.After(due > TimeSpan.Zero ? due : AfterRunMargin);
        }

        return ReconcileResult.Done;
    }

    private static JsonObject SuspendPatch() => new() { ["spec"] = new JsonObject { ["suspend"] = true } };
}
