using Drover.Operator.Children;
using Drover.Operator.Gateway;
using k8s;
using k8s.Models;

namespace Drover.Operator.Agents;

/// <summary>Every child an agent owns, built from its plan. Optional children are null when the spec does not want them.</summary>
internal sealed record AgentChildren(
    V1ServiceAccount ServiceAccount,
    V1Secret Secret,
    V1Secret? GatewayKey,
    V1PersistentVolumeClaim? WorkspaceClaim,
    V1Service? Service,
    V1NetworkPolicy? NetworkPolicy,
    V1Deployment Deployment)
{
    public static AgentChildren Build(AgentPlan plan, OperatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        return new AgentChildren(
            ServiceAccountBuilder.Build(plan),
            AgentSecretBuilder.Build(plan),
            plan.GatewayKey is { } key ? GatewayKeySecretBuilder.Build(plan.Agent, plan.Name, ChildLabels.AgentComponent, key) : null,
            WorkspaceClaimBuilder.Build(plan),
            ServiceBuilder.Build(plan),
            NetworkPolicyBuilder.Build(plan, options),
            DeploymentBuilder.Build(plan, options));
    }

    /// <summary>Every child that exists, in apply order (<see cref="ChildKinds.All"/>: what a pod needs exists before the pod).</summary>
    public IReadOnlyList<IKubernetesObject<V1ObjectMeta>> All =>
        ChildKinds.InApplyOrder([ServiceAccount, Secret, GatewayKey, WorkspaceClaim, Service, NetworkPolicy, Deployment]);
}
