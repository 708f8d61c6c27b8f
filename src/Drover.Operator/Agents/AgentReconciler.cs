using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Apply;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Controllers;
using Drover.ControllerRuntime.Informers;
using Drover.Operator.Children;
using Drover.Operator.Hosting;
using Drover.Operator.Rollouts;
using Drover.Operator.Status;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Drover.Operator.Agents;

/// <summary>
/// Drives an Agent's children towards its spec: resolve the model chain, build the children, apply only what
/// differs, prune what is no longer wanted, then report Ready from the Deployment. Configuration rollouts of existing
/// agents go through the <see cref="RolloutPacer"/>. A spec that cannot resolve keeps the running children (an agent
/// whose key Secret briefly vanished keeps serving), reports why, and waits for the watches to bring it back.
/// </summary>
public sealed class AgentReconciler(
    OperatorInformers informers,
    ResourceApplier applier,
    EventRecorder events,
    RolloutPacer pacer,
    OperatorOptions options,
    ILogger<AgentReconciler> logger,
    TimeProvider time) : IReconciler<Agent>
{
    /// <summary>How soon an agent waiting for a rollout slot looks again.</summary>
    public static readonly TimeSpan RolloutRetryInterval = TimeSpan.FromSeconds(2);

    private static readonly IReadOnlyDictionary<string, string> ManagedLabels =
        new Dictionary<string, string> { [ChildLabels.ManagedBy] = ChildLabels.ManagedByValue };

    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest<Agent> request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Object is not { } agent)
        {
            pacer.Forget(request.Key);
            return ReconcileResult.Done;
        }

        if (agent.Metadata.DeletionTimestamp is not null)
        {
            return ReconcileResult.Done;
        }

        var resolution = AgentResolver.Resolve(agent, informers);
        if (resolution.Plan is not { } plan)
        {
            await ReportFailureAsync(agent, resolution, cancellationToken);
            return ReconcileResult.Done;
        }

        await ApplyAsync(OperatorKinds.ServiceAccounts, informers.ServiceAccounts, ServiceAccountBuilder.Build(plan), cancellationToken);
        await ApplyAsync(OperatorKinds.Secrets, informers.Secrets, AgentSecretBuilder.Build(plan), cancellationToken);
        await ApplyOptionalAsync(OperatorKinds.PersistentVolumeClaims, informers.Claims, agent, WorkspaceClaimBuilder.Build(plan), cancellationToken);
        await ApplyOptionalAsync(OperatorKinds.Services, informers.Services, agent, ServiceBuilder.Build(plan), cancellationToken);
        await ApplyOptionalAsync(OperatorKinds.NetworkPolicies, informers.NetworkPolicies, agent, NetworkPolicyBuilder.Build(plan, informers), cancellationToken);

        var rollout = await ApplyDeploymentAsync(plan, cancellationToken);
        await PatchStatusAsync(agent, Status(agent, resolution, plan, rollout), cancellationToken);
        return rollout.Pending ? ReconcileResult.After(RolloutRetryInterval) : ReconcileResult.Done;
    }

    private async Task<DeploymentRollout> ApplyDeploymentAsync(AgentPlan plan, CancellationToken cancellationToken)
    {
        var desired = DeploymentBuilder.Build(plan, options);
        var live = informers.Deployments.Cache.Get(plan.Namespace, plan.Name);
        var hash = plan.Configuration.Hash;
        var liveHash = DeploymentProgress.ConfigHash(live, ChildLabels.ConfigHashAnnotation);

        // Only a new configuration of a running agent is paced; creating an agent or changing its image is not.
        if (live is not null && liveHash is not null && liveHash != hash)
        {
            var decision = pacer.TryStart(new ObjectKey(plan.Namespace, plan.Name), hash, informers.Deployments.Cache.List());
            if (!decision.Allowed)
            {
                OperatorLog.RolloutWaiting(logger, plan.Namespace, plan.Name, hash, decision.Rolling, pacer.MaxConcurrent);
                return new DeploymentRollout(live, liveHash, Applied: false, Pending: true);
            }

            OperatorLog.RolloutStarted(logger, plan.Namespace, plan.Name, hash);
        }

        var outcome = await applier.ApplyAsync(OperatorKinds.Deployments, desired, live, cancellationToken);
        if (outcome == ApplyOutcome.Applied)
        {
            OperatorLog.ChildApplied(logger, plan.Namespace, plan.Name, V1Deployment.KubeKind, plan.Name);
        }

        return new DeploymentRollout(live, hash, outcome == ApplyOutcome.Applied, Pending: false);
    }

    private async Task ApplyAsync<T>(ResourceKind<T> kind, Informer<T> cache, T desired, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var live = cache.Cache.Get(desired.Metadata.NamespaceProperty, desired.Metadata.Name);
        if (await applier.ApplyAsync(kind, desired, live, cancellationToken) == ApplyOutcome.Applied)
        {
            OperatorLog.ChildApplied(logger, desired.Metadata.NamespaceProperty, OwnerName(desired), kind.Kind, desired.Metadata.Name);
        }
    }

    /// <summary>Applies a child the spec may or may not want; when it does not, removes the one the agent owned.</summary>
    private async Task ApplyOptionalAsync<T>(ResourceKind<T> kind, Informer<T> cache, Agent agent, T? desired, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (desired is not null)
        {
            await ApplyAsync(kind, cache, desired, cancellationToken);
        }

        var wanted = desired is null ? new HashSet<string>() : new HashSet<string>(StringComparer.Ordinal) { desired.Metadata.Name };
        var pruned = await applier.PruneAsync(kind, cache.Cache, agent, ManagedLabels, wanted, cancellationToken);
        if (pruned > 0)
        {
            OperatorLog.ChildrenPruned(logger, agent.Metadata.NamespaceProperty, agent.Metadata.Name, pruned, kind.Kind);
        }
    }

    private async Task ReportFailureAsync(Agent agent, AgentResolution resolution, CancellationToken cancellationToken)
    {
        var failure = resolution.Failure!;
        var ns = agent.Metadata.NamespaceProperty;
        if (failure.Reason == AgentReasons.ProviderNotAllowed)
        {
            // The provider withdrew this namespace: its key must not stay in a Secret here.
            await applier.PruneAsync(OperatorKinds.Secrets, informers.Secrets.Cache, agent, ManagedLabels, new HashSet<string>(), cancellationToken);
        }

        var deployment = informers.Deployments.Cache.Get(ns, agent.Metadata.Name);
        var status = CopyStatus(agent);
        status.Replicas = deployment?.Status?.Replicas ?? 0;
        status.ReadyReplicas = deployment?.Status?.ReadyReplicas ?? 0;
        status.Selector = ChildLabels.ToSelectorString(ChildLabels.AgentPodSelector(agent.Metadata.Name));
        var ready = DesiredCondition.Failed(ConditionTypes.Ready, failure.Reason, failure.Message);
        status.Conditions = StatusConditions.Merge(agent.Status?.Conditions, [resolution.ModelResolved, ready], agent.Metadata.Generation, time.GetUtcNow());
        await PatchStatusAsync(agent, status, cancellationToken);
        OperatorLog.AgentNotReady(logger, ns, agent.Metadata.Name, failure.Reason, failure.Message);
        await events.WarningAsync(agent, failure.Reason, "Resolve", failure.Message, cancellationToken);
    }

    private AgentStatus Status(Agent agent, AgentResolution resolution, AgentPlan plan, DeploymentRollout rollout)
    {
        var status = CopyStatus(agent);
        var deployment = rollout.Live;
        status.Replicas = deployment?.Status?.Replicas ?? 0;
        status.ReadyReplicas = deployment?.Status?.ReadyReplicas ?? 0;
        status.Selector = ChildLabels.ToSelectorString(ChildLabels.AgentPodSelector(plan.Name));
        status.ConfigHash = rollout.Hash;
        status.Model = plan.Chain.ToStatus();
        var ready = Readiness(plan, rollout);
        status.Conditions = StatusConditions.Merge(agent.Status?.Conditions, [resolution.ModelResolved, ready], agent.Metadata.Generation, time.GetUtcNow());
        return status;
    }

    private static DesiredCondition Readiness(AgentPlan plan, DeploymentRollout rollout)
    {
        var deployment = rollout.Live;
        var desired = plan.Spec.Replicas ?? 1;
        if (rollout.Pending)
        {
            var serving = deployment is not null && (deployment.Status?.AvailableReplicas ?? 0) >= desired;
            return new DesiredCondition(
                ConditionTypes.Ready,
                serving ? DesiredCondition.True : DesiredCondition.False,
                RolloutReasons.RolloutPending,
                $"Configuration {plan.Configuration.Hash} waits for a rollout slot: too many agents are rolling (--max-concurrent-rollouts); "
                + $"the running pods keep configuration {rollout.Hash}.");
        }

        if (deployment is null || rollout.Applied)
        {
            return DesiredCondition.Failed(ConditionTypes.Ready, AgentReasons.Progressing, $"Deployment {plan.Name} is being rolled out with configuration {plan.Configuration.Hash}.");
        }

        var status = deployment.Status;
        if (desired == 0 && (deployment.Metadata.Generation ?? 0) <= (status?.ObservedGeneration ?? 0))
        {
            return DesiredCondition.Met(ConditionTypes.Ready, AgentReasons.Parked, "replicas is 0: the agent is parked; scale it up to run it.");
        }

        if (DeploymentProgress.HasStalled(deployment))
        {
            return DesiredCondition.Failed(
                ConditionTypes.Ready,
                AgentReasons.Unavailable,
                $"Deployment {plan.Name} exceeded its progress deadline: {status?.AvailableReplicas ?? 0} of {desired} pods available; check the pods' events.");
        }

        if (DeploymentProgress.IsProgressing(deployment))
        {
            var updated = status?.UpdatedReplicas ?? 0;
            var available = status?.AvailableReplicas ?? 0;
            return updated >= desired && (status?.Replicas ?? 0) <= updated && (deployment.Metadata.Generation ?? 0) <= (status?.ObservedGeneration ?? 0)
                ? DesiredCondition.Failed(ConditionTypes.Ready, AgentReasons.Unavailable, $"{available} of {desired} agent pods are available.")
                : DesiredCondition.Failed(ConditionTypes.Ready, AgentReasons.Progressing, $"Rolling out: {updated} of {desired} pods updated, {available} available.");
        }

        return DesiredCondition.Met(ConditionTypes.Ready, AgentReasons.Available, desired == 1 ? "The agent is running." : $"All {desired} agent pods are available.");
    }

    private async Task PatchStatusAsync(Agent agent, AgentStatus status, CancellationToken cancellationToken)
    {
        var desired = new Agent { ApiVersion = agent.ApiVersion, Kind = agent.Kind, Metadata = agent.Metadata, Spec = agent.Spec, Status = status };
        await applier.PatchStatusAsync(OperatorKinds.Agents, agent, desired, cancellationToken);
    }

    private static AgentStatus CopyStatus(Agent agent) => new()
    {
        ObservedGeneration = agent.Metadata.Generation,
        ConfigHash = agent.Status?.ConfigHash,
        Model = agent.Status?.Model,
        TokensUsedToday = agent.Status?.TokensUsedToday,
    };

    private static string OwnerName(IKubernetesObject<V1ObjectMeta> child) =>
        child.Metadata.OwnerReferences?.FirstOrDefault()?.Name ?? child.Metadata.Name;

    /// <summary>What the Deployment step did: the live Deployment as cached before it, and the hash the pods run or will run.</summary>
    private sealed record DeploymentRollout(V1Deployment? Live, string? Hash, bool Applied, bool Pending);
}
