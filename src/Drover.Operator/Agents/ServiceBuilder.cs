using Drover.Operator.Children;
using k8s.Models;

namespace Drover.Operator.Agents;

/// <summary>Service <c>a</c>, only when the agent has a port: a stable name for the agent's always-on pods.</summary>
internal static class ServiceBuilder
{
    public const string PortName = "http";

    public static V1Service? Build(AgentPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Spec.Port is not { } port)
        {
            return null;
        }

        return new V1Service
        {
            ApiVersion = "v1",
            Kind = V1Service.KubeKind,
            Metadata = ChildMetadata.For(plan.Agent, plan.Name, plan.Name, ChildLabels.AgentComponent),
            Spec = new V1ServiceSpec
            {
                Type = "ClusterIP",
                Selector = ChildLabels.AgentPodSelector(plan.Name),
                Ports = [new V1ServicePort { Name = PortName, Port = port, TargetPort = PortName, Protocol = "TCP" }],
            },
        };
    }
}
