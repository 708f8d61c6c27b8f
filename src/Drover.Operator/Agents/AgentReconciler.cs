using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Apply;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Controllers;
using Drover.Operator.Children;
using Drover.Operator.Cluster;
using Drover.Operator.Observability;
using Drover.Operator.Rollouts;
using Drover.Operator.Status;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Drover.Operator.Agents;

/// <summary>
/// Drives an Agent's children towards its spec: resolve, build (<see cref="AgentChildren"/>), apply only what
/// differs, prune what is no longer wanted, then report status (<see cref="AgentStatusCalculator"/>). A new
/// configuration of a running agent waits for the <see cref="RolloutPacer"/>. A spec that cannot resolve keeps the
/// running children (an agent whose key Secret briefly vanished keeps serving), reports why, and is done: the
/// watches (<see cref="AgentController"/>) bring it back when an input changes.
/// </summary>
internal sealed class AgentReconciler(
    OperatorInformers informers,
    ChildWriter children,
    StatusWriter statuses,
    EventRecorder events,
    RolloutPacer pacer,
    OperatorOptions options,
    ILogger<AgentReconciler> logger,
    TimeProvider time) : IReconciler<Agent>
{
    /// <summary>
    /// How soon an agent waiting for a rollout slot looks again on its own. A finished rollout wakes the waiting agents
    /// at once (<see cref="RolloutPacer.TakeWaiting"/>), so this is the safety net, not the pace: a short one would
    /// have a thousand waiting agents reconcile hundreds of times a second for nothing.
    /// </summary>
    public static readonly TimeSpan RolloutRetryInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often an agent blocked by an object it does not own looks again. That object is not in the operator's caches
    /// (they hold only what Drover manages), so no watch says when it is gone.
    /// </summary>
    public static readonly TimeSpan NameConflictRetryInterval = TimeSpan.FromMinutes(1);

    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest<Agent> request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Object is not { } agent)
        {
            pacer.Forget(request.Key);
            informers.GatewayKeys.Forget(request.Key.Namespace ?? "", Gateway.GatewayKey.SecretName(request.Key.Name));
            return ReconcileResult.Done;
        }

        if (agent.Metadata.DeletionTimestamp is not null)
        {
            return ReconcileResult.Done;
        }

        await AgentReferences.ReadyAsync(agent, informers, cancellationToken);
        var resolution = AgentResolver.Resolve(agent, informers, options);
        var live = informers.Deployments.Cache.Get(agent.Metadata.NamespaceProperty, agent.Metadata.Name);
        if (resolution.Plan is not { } plan)
        {
            await ReportFailureAsync(agent, resolution, live, cancellationToken);
            return ReconcileResult.Done;
        }

        var desired = AgentChildren.Build(plan, options);
        var key = new ObjectKey(plan.Namespace, plan.Name);
        var hash = plan.Configuration.Hash;
        var liveHash = DeploymentProgress.ConfigHash(live, ChildLabels.ConfigHashAnnotation);

        // Only a new configuration of a running agent is paced; creating an agent or changing its image is not.
        var paced = live is not null && liveHash is not null && liveHash != hash;
        if (paced)
        {
            var decision = pacer.TryStart(key, hash, DeploymentProgress.ProgressDeadline(live));
            if (!decision.Allowed)
            {
                OperatorLog.RolloutWaiting(logger, plan.Namespace, plan.Name, hash, decision.Rolling, pacer.MaxConcurrent);
                return await WaitForSlotAsync(agent, resolution, desired, live!, liveHash!, cancellationToken);
            }

            OperatorLog.RolloutStarted(logger, plan.Namespace, plan.Name, hash);
        }

        AgentRollout rollout;
        try
        {
            rollout = await RollOutAsync(agent, desired, hash, cancellationToken);
        }
        catch (Exception)
        {
            // An apply that did not go through must not keep other agents waiting until the slot's deadline.
            ReleaseIfPaced();
            throw;
        }

        if (rollout.Failure is { } refused)
        {
            ReleaseIfPaced();
            return await ReportBlockedAsync(agent, resolution, live, refused, cancellationToken);
        }

        await children.PruneAsync(agent, desired.All, cancellationToken);
        var pods = AgentPods.Problem(informers.Pods.Cache.ByIndex(AgentPods.ByAgent, OperatorInformers.Key(agent)));
        await WriteStatusAsync(agent, AgentStatusCalculator.Compute(agent, resolution, live, rollout, pods: pods), cancellationToken);
        return ReconcileResult.Done;

        void ReleaseIfPaced()
        {
            if (paced)
            {
                pacer.Release(key, hash);
            }
        }
    }

    // What a pod needs exists before the pod, so the Deployment goes last. Those needs (ServiceAccount, Secrets, claim,
    // Service, NetworkPolicy) need nothing of each other, so they are applied at once: a new agent waits for one
    // round trip for all of them, not one per child.
    private async Task<AgentRollout> RollOutAsync(Agent agent, AgentChildren desired, string hash, CancellationToken cancellationToken)
    {
        var uncached = children.ReadUncached(desired.All, cancellationToken);
        var needs = desired.All.Where(child => !ReferenceEquals(child, desired.Deployment)).ToList();
        var applied = await Task.WhenAll(needs.Select(child => children.ApplyAsync(agent, child, cancellationToken, uncached)));

        // The first in apply order is the one reported, whichever finished first.
        if (applied.FirstOrDefault(result => result.Failure is not null).Failure is { } failure)
        {
            return new AgentRollout(hash, Applied: false, Pending: false, pacer.MaxConcurrent) { Failure = failure };
        }

        var deployment = await children.ApplyAsync(agent, desired.Deployment, cancellationToken, uncached);
        return deployment.Failure is { } refused
            ? new AgentRollout(hash, Applied: false, Pending: false, pacer.MaxConcurrent) { Failure = refused }
            : new AgentRollout(hash, deployment.Applied, Pending: false, pacer.MaxConcurrent);
    }

    /// <summary>
    /// A new configuration waits for a rollout slot. Its Secrets (configuration and gateway key), NetworkPolicy and Service
    /// wait with its Deployment: the running pods read the Secrets, are let out by the NetworkPolicy and are reached through the Service, so
    /// until their turn they keep the keys, egress and routing of the configuration they run. Nothing is pruned
    /// either, as a child the new configuration drops may be one they still use.
    /// </summary>
    private async Task<ReconcileResult> WaitForSlotAsync(Agent agent, AgentResolution resolution, AgentChildren desired, V1Deployment live, string liveHash, CancellationToken cancellationToken)
    {
        foreach (var child in desired.All)
        {
            if (!WaitsForRollout(child, desired)
                && (await children.ApplyAsync(agent, child, cancellationToken)).Failure is { } failure)
            {
                return await ReportBlockedAsync(agent, resolution, live, failure, cancellationToken);
            }
        }

        var rollout = new AgentRollout(liveHash, Applied: false, Pending: true, pacer.MaxConcurrent);
        await WriteStatusAsync(agent, AgentStatusCalculator.Compute(agent, resolution, live, rollout), cancellationToken);
        return ReconcileResult.After(RolloutRetryInterval);
    }

    private static bool WaitsForRollout(IKubernetesObject<V1ObjectMeta> child, AgentChildren desired) =>
        ReferenceEquals(child, desired.Deployment)
        || ReferenceEquals(child, desired.Secret)
        || ReferenceEquals(child, desired.GatewayKey)
        || ReferenceEquals(child, desired.NetworkPolicy)
        || ReferenceEquals(child, desired.Service);

    // A child that cannot be written stops the rest: a Deployment must not start on a Secret that is someone else's.
    private async Task<ReconcileResult> ReportBlockedAsync(Agent agent, AgentResolution resolution, V1Deployment? live, ResolutionFailure failure, CancellationToken cancellationToken)
    {
        await WriteStatusAsync(agent, AgentStatusCalculator.Compute(agent, resolution, live, rollout: null, blocked: failure), cancellationToken);
        OperatorLog.AgentNotReady(logger, agent.Metadata.NamespaceProperty, agent.Metadata.Name, failure.Reason, failure.Message);
        await events.WarningAsync(agent, failure.Reason, "Apply", failure.Message, cancellationToken);
        return failure.Reason == ChildReasons.NameConflict ? ReconcileResult.After(NameConflictRetryInterval) : ReconcileResult.Failed(failure.Message);
    }

    private async Task ReportFailureAsync(Agent agent, AgentResolution resolution, V1Deployment? live, CancellationToken cancellationToken)
    {
        var failure = resolution.Failure!;
        ResolutionFailure? outcome = null;
        if (resolution.RevokesAccess)
        {
            outcome = await RevokeAsync(agent, resolution, failure, live, cancellationToken);
        }

        await WriteStatusAsync(agent, AgentStatusCalculator.Compute(agent, resolution, live, rollout: null, blocked: outcome), cancellationToken);
        OperatorLog.AgentNotReady(logger, agent.Metadata.NamespaceProperty, agent.Metadata.Name, failure.Reason, failure.Message);
        await events.WarningAsync(agent, failure.Reason, "Resolve", failure.Message, cancellationToken);
    }

    /// <summary>
    /// The agent may no longer use some provider of its chain. A running agent is cut down to the links it may still
    /// use, at once (no rollout slot: a revoked key must not wait); with none left, its Secret goes and it scales to
    /// zero. Either way no key it may not use stays in its Secret or its pods, and the normal path restores it all
    /// when access returns. An agent that never ran gets nothing, as for any spec that does not resolve.
    /// </summary>
    private async Task<ResolutionFailure> RevokeAsync(Agent agent, AgentResolution resolution, ResolutionFailure failure, V1Deployment? live, CancellationToken cancellationToken)
    {
        if (resolution.Reduced is { } reduced && live is not null)
        {
            var desired = AgentChildren.Build(reduced, options);
            foreach (var child in desired.All)
            {
                if ((await children.ApplyAsync(agent, child, cancellationToken)).Failure is { } refused)
                {
                    return refused;
                }
            }

            await children.PruneAsync(agent, desired.All, cancellationToken);
            var kept = string.Join(", ", reduced.Chain.All.Select(m => $"{m.Model} via {m.Provider.Namespace}/{m.Provider.Name}"));
            return failure with { Message = $"{failure.Message} Until that is fixed the agent runs with only what it may use: {kept}." };
        }

        await children.RemoveAllAsync(agent, ChildKinds.Secrets, cancellationToken);
        if (live is { Spec.Replicas: not 0 })
        {
            await children.ScaleToZeroAsync(live, cancellationToken);
        }

        return live is null
            ? failure
            : failure with { Message = $"{failure.Message} No provider of its chain is usable, so the agent is scaled to zero and its keys are removed until access returns." };
    }

    private Task<bool> WriteStatusAsync(Agent agent, AgentStatusSnapshot snapshot, CancellationToken cancellationToken)
    {
        var conditions = StatusConditions.Merge(agent.Status?.Conditions, snapshot.Conditions, agent.Metadata.Generation, time.GetUtcNow());
        return statuses.WriteAsync(agent, snapshot.ToStatus(agent, conditions), cancellationToken);
    }
}
