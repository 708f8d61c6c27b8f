using System.Globalization;
using Drover.Api.V1Alpha1;
using Drover.Operator.Children;
using Drover.Operator.Rollouts;
using Drover.Operator.Status;
using k8s.Models;

namespace Drover.Operator.Agents;

/// <summary>An agent's observed state as decided from its resolution and its Deployment; conditions still need merging.</summary>
internal sealed record AgentStatusSnapshot(
    IReadOnlyList<DesiredCondition> Conditions,
    int? Replicas,
    int? ReadyReplicas,
    string Selector,
    string? ConfigHash,
    ResolvedModelChain? Model)
{
    /// <summary>The status to write: these fields and the conditions, merged with their timestamps.</summary>
    public AgentStatus ToStatus(Agent agent, List<V1Condition> conditions)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return new AgentStatus
        {
            ObservedGeneration = agent.Metadata.Generation,
            Replicas = Replicas,
            ReadyReplicas = ReadyReplicas,
            Selector = Selector,
            ConfigHash = ConfigHash,
            Model = Model,
            // Written by the model gateway with its own field manager; carried so a merge patch never clears it.
            Usage = agent.Status?.Usage,
            Conditions = conditions,
        };
    }
}

/// <summary>
/// What this reconcile did with the Deployment: the configuration hash the pods run or will run, whether an apply was
/// sent, and whether a new configuration waits for a rollout slot (then <paramref name="Hash"/> is the running one).
/// </summary>
internal sealed record AgentRollout(string? Hash, bool Applied, bool Pending, int MaxConcurrent)
{
    /// <summary>Why the Deployment could not be written, when it could not.</summary>
    public ResolutionFailure? Failure { get; init; }

    /// <summary>The Deployment already runs the desired configuration; nothing was sent.</summary>
    public static AgentRollout Unchanged(string hash) => new(hash, Applied: false, Pending: false, MaxConcurrent: 0);
}

/// <summary>
/// Decides an agent's status in one place: Ready from the resolution, the Deployment as cached and what this reconcile
/// did to it (<see cref="AgentRollout"/>), or the resolution failure that blocks it.
/// </summary>
internal static class AgentStatusCalculator
{
    /// <param name="agent">The agent as stored.</param>
    /// <param name="resolution">Its resolution.</param>
    /// <param name="deployment">Its Deployment as cached before this reconcile's apply; null when there is none.</param>
    /// <param name="rollout">What this reconcile did to the Deployment; null when resolution failed and nothing was applied.</param>
    /// <param name="blocked">
    /// Why the agent is not running as specified beyond its resolution (a child that could not be written, or what
    /// revoking a provider did); it decides Ready. Null when every write went through.
    /// </param>
    /// <param name="pods">Why its pods do not start, from the pods cache (<see cref="AgentPods.Problem"/>); null when none says.</param>
    public static AgentStatusSnapshot Compute(Agent agent, AgentResolution resolution, V1Deployment? deployment, AgentRollout? rollout, ResolutionFailure? blocked = null, PodProblem? pods = null)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(resolution);
        var selector = ChildLabels.ToSelectorString(ChildLabels.AgentPodSelector(agent.Metadata.Name));
        var replicas = deployment?.Status?.Replicas ?? 0;
        var ready = deployment?.Status?.ReadyReplicas ?? 0;
        if ((blocked ?? resolution.Failure) is { } failure)
        {
            // The pods still run what they ran; the last good hash and chain stay visible until a new one resolves.
            return new AgentStatusSnapshot(
                [resolution.ModelResolved, DesiredCondition.Failed(ConditionTypes.Ready, failure.Reason, failure.Message)],
                replicas,
                ready,
                selector,
                agent.Status?.ConfigHash,
                agent.Status?.Model);
        }

        var plan = resolution.Plan!;
        rollout ??= AgentRollout.Unchanged(plan.Configuration.Hash);
        return new AgentStatusSnapshot(
            [resolution.ModelResolved, Readiness(plan, deployment, rollout, pods)],
            replicas,
            ready,
            selector,
            rollout.Hash ?? plan.Configuration.Hash,
            plan.Chain.ToStatus());
    }

    /// <summary>The Ready condition of a resolved agent, from what this reconcile did and the Deployment as cached.</summary>
    public static DesiredCondition Readiness(AgentPlan plan, V1Deployment? deployment, AgentRollout rollout, PodProblem? pods = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(rollout);
        var observed = Readiness(plan, deployment, pods);
        if (rollout.Pending)
        {
            return observed with
            {
                Reason = RolloutReasons.RolloutPending,
                Message = $"Configuration {plan.Configuration.Hash} waits for a rollout slot (--max-concurrent-rollouts {rollout.MaxConcurrent} agents are rolling); "
                    + $"the running processes keep configuration {rollout.Hash}. {observed.Message}",
            };
        }

        if (rollout.Applied && plan.Spec.Replicas != 0)
        {
            // The cached Deployment predates this apply; reporting its old readiness would claim a rollout that has not run.
            return DesiredCondition.Failed(ConditionTypes.Ready, AgentReasons.Progressing, $"Deployment {plan.Name} is rolling out configuration {plan.Configuration.Hash}.");
        }

        return observed;
    }

    /// <summary>
    /// The Ready condition of a resolved agent, from its Deployment (null when not created yet) and what its pods say:
    /// while the agent is not ready, a container waiting on its image, its configuration or a crash loop is the reason,
    /// in the kubelet's words, rather than a rollout that stalls only at its progress deadline.
    /// </summary>
    public static DesiredCondition Readiness(AgentPlan plan, V1Deployment? deployment, PodProblem? pods = null)
    {
        var observed = DeploymentReadiness(plan, deployment);
        if (pods is null || observed.IsTrue || deployment is null)
        {
            return observed;
        }

        return DesiredCondition.Failed(ConditionTypes.Ready, pods.Reason,
            $"{pods.Describe()} Check the pods: kubectl get pods -l {ChildLabels.ToSelectorString(ChildLabels.AgentPodSelector(plan.Name))}");
    }

    private static DesiredCondition DeploymentReadiness(AgentPlan plan, V1Deployment? deployment)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var desired = plan.Spec.Replicas ?? Defaults.AgentReplicas;
        if (desired == 0)
        {
            // Parked is the state the user asked for, so it is Ready: GitOps health checks must not flag it.
            return DesiredCondition.Met(ConditionTypes.Ready, AgentReasons.Parked,
                $"replicas is 0, so no agent process runs; kubectl scale agent/{plan.Name} --replicas=1 starts it again.");
        }

        if (deployment is null)
        {
            return DesiredCondition.Failed(ConditionTypes.Ready, AgentReasons.Progressing, $"Waiting for Deployment {plan.Name} to be created.");
        }

        var status = deployment.Status ?? new V1DeploymentStatus();
        var progressing = status.Conditions?.FirstOrDefault(c => c.Type == "Progressing");
        if (progressing is { Status: "False", Reason: "ProgressDeadlineExceeded" })
        {
            return DesiredCondition.Failed(ConditionTypes.Ready, AgentReasons.Unavailable,
                $"The rollout of Deployment {plan.Name} stalled: {progressing.Message} Check the pods: kubectl get pods -l {ChildLabels.ToSelectorString(ChildLabels.AgentPodSelector(plan.Name))}");
        }

        var ready = status.ReadyReplicas ?? 0;
        var updated = status.UpdatedReplicas ?? 0;
        var total = status.Replicas ?? 0;
        var observed = status.ObservedGeneration ?? 0;
        if (observed < (deployment.Metadata?.Generation ?? 0) || updated < desired || total > updated)
        {
            return DesiredCondition.Failed(ConditionTypes.Ready, AgentReasons.Progressing,
                string.Create(CultureInfo.InvariantCulture, $"Rolling out: {updated} of {desired} processes updated, {ready} ready."));
        }

        if (ready >= desired)
        {
            return DesiredCondition.Met(ConditionTypes.Ready, AgentReasons.Available,
                string.Create(CultureInfo.InvariantCulture, $"{ready} of {desired} processes ready."));
        }

        return DesiredCondition.Failed(ConditionTypes.Ready, AgentReasons.Unavailable,
            string.Create(CultureInfo.InvariantCulture, $"{ready} of {desired} processes ready; check the pods' events and logs."));
    }
}
