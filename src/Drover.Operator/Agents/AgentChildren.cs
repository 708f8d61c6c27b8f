using Drover.Operator.Resolution;
using k8s;
using k8s.Models;

namespace Drover.Operator.Agents;

/// <summary>Every child an agent owns, in the order they are applied (what a pod needs exists before the pod).</summary>
public static class AgentChildren
{
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(AgentPlan plan, OperatorOptions options, IClusterLookup cluster)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(cluster);
        var children = new List<IKubernetesObject<V1ObjectMeta>?>
        {
            ServiceAccountBuilder.Build(plan),
            AgentSecretBuilder.Build(plan),
            WorkspaceClaimBuilder.Build(plan),
            ServiceBuilder.Build(plan),
            NetworkPolicyBuilder.Build(plan, cluster),
            DeploymentBuilder.Build(plan, options),
        };
        return [.. children.OfType<IKubernetesObject<V1ObjectMeta>>()];
    }
}
