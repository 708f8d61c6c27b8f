using Drover.Api.V1Alpha1;
using Drover.Operator.Children;
using k8s.Models;

namespace Drover.Operator.Agents;

/// <summary>
/// Deployment <c>a</c>: the always-on agent process. The pod is <see cref="AgentPod"/>'s; this file sets the rest
/// (replicas, selector, and the strategy that <c>spec.rollout</c> asks for).
/// </summary>
internal static class DeploymentBuilder
{
    public static V1Deployment Build(AgentPlan plan, OperatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = V1Deployment.KubeKind,
            Metadata = ChildMetadata.For(plan.Agent, plan.Name, plan.Name, ChildLabels.AgentComponent),
            Spec = new V1DeploymentSpec
            {
                // Defaults.Apply sets replicas; 0 parks the agent and keeps everything else in place.
                Replicas = plan.Spec.Replicas,
                Selector = new V1LabelSelector { MatchLabels = ChildLabels.AgentPodSelector(plan.Name) },
                Strategy = Strategy(plan),
                Template = AgentPod.Template(plan, options, AgentProcess.AlwaysOn(plan)),
            },
        };
    }

    /// <summary>
    /// Replace is Recreate, not RollingUpdate with maxSurge 0: a rolling update starts the new pod as soon as the old one
    /// is told to stop, so both run through the old one's termination grace period; Recreate waits until it has gone.
    /// A ReadWriteOnce workspace needs the same (the validator rejects Surge with storage). Surge states both bounds, so
    /// the object is the same whatever the server would default, and a later switch to Recreate removes them.
    /// </summary>
    private static V1DeploymentStrategy Strategy(AgentPlan plan) =>
        plan.Spec.Rollout == RolloutPolicies.Surge && !plan.HasStorage
            ? new V1DeploymentStrategy
            {
                Type = "RollingUpdate",
                RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 1, MaxUnavailable = 0 },
            }
            : new V1DeploymentStrategy { Type = "Recreate" };
}
