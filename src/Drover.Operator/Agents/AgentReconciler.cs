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
/// Drives an Agent's children towards its spec: resolve, build (<see cref="AgentChildren"/>), apply only what
/// differs, prune what is no longer wanted, then report status (<see cref="AgentStatusCalculator"/>). A new
/// configuration of a running agent waits for the <see cref="RolloutPacer"/>. A spec that cannot resolve keeps the
/// running children (an agent whose key Secret briefly vanished keeps serving), reports why, and is done: the
/// watches bring it back when an input changes.
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
    /// <summary>
    /// How soon an agent waiting for a rollout slot looks again on its own. A finished rollout wakes the waiting agents
    /// at once (<see cref="RolloutPacer.TakeWaiting"/>), so this is the safety net, not the pace: a short one would
    /// have a thousand waiting agents reconcile hundreds of times a second for nothing.
    /// </summary>
    public static readonly TimeSpan RolloutRetryInterval = TimeSpan.FromSeconds(10);

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
        var live = informers.Deployments.Cache.Get(agent.Metadata.NamespaceProperty, agent.Metadata.Name);
        if (resolution.Plan is not { } plan)
        {
            await ReportFailureAsync(agent, resolution, live, cancellationToken);
            return ReconcileResult.Done;
        }

        var children = AgentChildren.Build(plan, options, informers);
        V1Deployment? deployment = null;
        foreach (var child in children)
        {
            switch (child)
            {
                case V1ServiceAccount account:
                    await ApplyAsync(OperatorKinds.ServiceAccounts, informers.ServiceAccounts, account, cancellationToken);
                    break;
                case V1Secret secret:
                    await ApplyAsync(OperatorKinds.Secrets, informers.Secrets, secret, cancellationToken);
                    break;
                case V1PersistentVolumeClaim claim:
                    await ApplyAsync(OperatorKinds.PersistentVolumeClaims, informers.Claims, claim, cancellationToken);
                    break;
                case V1Service service:
                    await ApplyAsync(OperatorKinds.Services, informers.Services, service, cancellationToken);
                    break;
                case V1NetworkPolicy policy:
                    await ApplyAsync(OperatorKinds.NetworkPolicies, informers.NetworkPolicies, policy, cancellationToken);
                    break;
                case V1Deployment built:
                    deployment = built;
                    break;
            }
        }

        // What a pod needs (Secret, claim) exists before the pod, so the Deployment goes last.
        var rollout = deployment is null ? new DeploymentRollout(live, null, Applied: false, Pending: false) : await ApplyDeploymentAsync(plan, deployment, live, cancellationToken);
        await PruneAsync(OperatorKinds.Services, informers.Services, agent, children, cancellationToken);
        await PruneAsync(OperatorKinds.NetworkPolicies, informers.NetworkPolicies, agent, children, cancellationToken);
        await PruneAsync(OperatorKinds.PersistentVolumeClaims, informers.Claims, agent, children, cancellationToken);

        var snapshot = AgentStatusCalculator.Compute(agent, resolution, live);
        var ready = snapshot.Conditions.Single(c => c.Type == ConditionTypes.Ready);
        if (rollout.Pending)
        {
            ready = ready with
            {
                Reason = RolloutReasons.RolloutPending,
                Message = $"Configuration {plan.Configuration.Hash} waits for a rollout slot (--max-concurrent-rollouts {pacer.MaxConcurrent} agents are rolling); "
                    + $"the running processes keep configuration {rollout.Hash}. {ready.Message}",
            };
        }
        else if (rollout.Applied && plan.Spec.Replicas != 0)
        {
            // The cached Deployment predates this apply; reporting its old readiness would claim a rollout that has not run.
            ready = DesiredCondition.Failed(ConditionTypes.Ready, AgentReasons.Progressing, $"Deployment {plan.Name} is rolling out configuration {plan.Configuration.Hash}.");
        }

        var status = NewStatus(agent, snapshot);
        status.ConfigHash = rollout.Hash ?? snapshot.ConfigHash;
        status.Conditions = Merge(agent, [.. snapshot.Conditions.Where(c => c.Type != ConditionTypes.Ready), ready]);
        await PatchStatusAsync(agent, status, cancellationToken);
        return rollout.Pending ? ReconcileResult.After(RolloutRetryInterval) : ReconcileResult.Done;
    }

    private async Task<DeploymentRollout> ApplyDeploymentAsync(AgentPlan plan, V1Deployment desired, V1Deployment? live, CancellationToken cancellationToken)
    {
        var hash = plan.Configuration.Hash;
        var liveHash = DeploymentProgress.ConfigHash(live, ChildLabels.ConfigHashAnnotation);

        // Only a new configuration of a running agent is paced; creating an agent or changing its image is not.
        if (live is not null && liveHash is not null && liveHash != hash)
        {
            var decision = pacer.TryStart(new ObjectKey(plan.Namespace, plan.Name), hash);
            if (!decision.Allowed)
            {
                OperatorLog.RolloutWaiting(logger, plan.Namespace, plan.Name, hash, decision.Rolling, pacer.MaxConcurrent);
                return new DeploymentRollout(live, liveHash, Applied: false, Pending: true);
            }

            OperatorLog.RolloutStarted(logger, plan.Namespace, plan.Name, hash);
        }

        var applied = await ApplyAsync(OperatorKinds.Deployments, informers.Deployments, desired, cancellationToken);
        return new DeploymentRollout(live, hash, applied, Pending: false);
    }

    private async Task<bool> ApplyAsync<T>(ResourceKind<T> kind, Informer<T> cache, T desired, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var meta = desired.Metadata;
        var live = cache.Cache.Get(meta.NamespaceProperty, meta.Name);
        if (await applier.ApplyAsync(kind, desired, live, cancellationToken) != ApplyOutcome.Applied)
        {
            return false;
        }

        OperatorLog.ChildApplied(logger, meta.NamespaceProperty, meta.OwnerReferences?.FirstOrDefault()?.Name ?? meta.Name, kind.Kind, meta.Name);
        return true;
    }

    /// <summary>Removes the agent's children of one kind the spec no longer wants (a Service when the port went away, ...).</summary>
    private async Task PruneAsync<T>(ResourceKind<T> kind, Informer<T> cache, Agent agent, IReadOnlyList<IKubernetesObject<V1ObjectMeta>> children, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var wanted = children.OfType<T>().Select(c => c.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        var pruned = await applier.PruneAsync(kind, cache.Cache, agent, ManagedLabels, wanted, cancellationToken);
        if (pruned > 0)
        {
            OperatorLog.ChildrenPruned(logger, agent.Metadata.NamespaceProperty, agent.Metadata.Name, pruned, kind.Kind);
        }
    }

    private async Task ReportFailureAsync(Agent agent, AgentResolution resolution, V1Deployment? live, CancellationToken cancellationToken)
    {
        var failure = resolution.Failure!;
        if (failure.Reason == AgentReasons.ProviderNotAllowed)
        {
            // The provider no longer admits this namespace: its key must not stay in a Secret here.
            await applier.PruneAsync(OperatorKinds.Secrets, informers.Secrets.Cache, agent, ManagedLabels, new HashSet<string>(), cancellationToken);
        }

        var snapshot = AgentStatusCalculator.Compute(agent, resolution, live);
        var status = NewStatus(agent, snapshot);

        // The pods still run what they ran; the last good hash and chain stay visible until a new one resolves.
        status.ConfigHash = agent.Status?.ConfigHash;
        status.Model = agent.Status?.Model;
        status.Conditions = Merge(agent, snapshot.Conditions);
        await PatchStatusAsync(agent, status, cancellationToken);
        OperatorLog.AgentNotReady(logger, agent.Metadata.NamespaceProperty, agent.Metadata.Name, failure.Reason, failure.Message);
        await events.WarningAsync(agent, failure.Reason, "Resolve", failure.Message, cancellationToken);
    }

    private static AgentStatus NewStatus(Agent agent, AgentStatusSnapshot snapshot) => new()
    {
        ObservedGeneration = agent.Metadata.Generation,
        Replicas = snapshot.Replicas,
        ReadyReplicas = snapshot.ReadyReplicas,
        Selector = snapshot.Selector,
        ConfigHash = snapshot.ConfigHash,
        Model = snapshot.Model,
        Usage = agent.Status?.Usage,
    };

    private List<V1Condition> Merge(Agent agent, IEnumerable<DesiredCondition> conditions) =>
        StatusConditions.Merge(agent.Status?.Conditions, conditions, agent.Metadata.Generation, time.GetUtcNow());

    private async Task PatchStatusAsync(Agent agent, AgentStatus status, CancellationToken cancellationToken)
    {
        var live = new Agent { Metadata = StatusPatchMetadata.Of(agent), Status = agent.Status };
        var desired = new Agent { Metadata = live.Metadata, Status = status };
        await applier.PatchStatusAsync(OperatorKinds.Agents, live, desired, cancellationToken);
    }

    /// <summary>What the Deployment step did: the hash the pods run or will run, whether an apply was sent, whether it waits.</summary>
    private sealed record DeploymentRollout(V1Deployment? Live, string? Hash, bool Applied, bool Pending);
}
