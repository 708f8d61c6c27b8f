using System.Globalization;
using Drover.Api.V1Alpha1;
using Drover.Operator.Children;
using Drover.Operator.Status;
using k8s.Models;

namespace Drover.Operator.Agents;

/// <summary>An agent's observed state as decided from its resolution and its Deployment; conditions still need merging.</summary>
public sealed record AgentStatusSnapshot(
    IReadOnlyList<DesiredCondition> Conditions,
    int? Replicas,
    int? ReadyReplicas,
    string Selector,
    string? ConfigHash,
    ResolvedModelChain? Model);

/// <summary>Decides an agent's status: Ready from the Deployment's rollout, or the resolution failure that blocks it.</summary>
public static class AgentStatusCalculator
{
    public static AgentStatusSnapshot Compute(Agent agent, AgentResolution resolution, V1Deployment? deployment)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(resolution);
        var selector = ChildLabels.ToSelectorString(ChildLabels.AgentPodSelector(agent.Metadata.Name));
        var replicas = deployment?.Status?.Replicas ?? 0;
        var ready = deployment?.Status?.ReadyReplicas ?? 0;
        if (resolution.Failure is { } failure)
        {
            return new AgentStatusSnapshot(
                [resolution.ModelResolved, DesiredCondition.Failed(ConditionTypes.Ready, failure.Reason, failure.Message)],
                replicas,
                ready,
                selector,
                null,
                null);
        }

        var plan = resolution.Plan!;
        return new AgentStatusSnapshot(
            [resolution.ModelResolved, Readiness(plan, deployment)],
            replicas,
            ready,
            selector,
            plan.Configuration.Hash,
            plan.Chain.ToStatus());
    }

    /// <summary>The Ready condition of a resolved agent, from its Deployment (null when not created yet).</summary>
    public static DesiredCondition Readiness(AgentPlan plan, V1Deployment? deployment)
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
