using Drover.Operator.Children;
using k8s.Models;

namespace Drover.Operator.Agents;

/// <summary>
/// Deployment <c>a</c>: the always-on agent process. The pod is <see cref="AgentPod"/>'s; this file sets the rest
/// (replicas, selector, strategy).
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
                // A ReadWriteOnce workspace cannot be attached to the old and the new pod at once.
                Strategy = new V1DeploymentStrategy { Type = plan.HasStorage ? "Recreate" : "RollingUpdate" },
                Template = AgentPod.Template(plan, options, AgentProcess.AlwaysOn(plan)),
            },
        };
    }
}
