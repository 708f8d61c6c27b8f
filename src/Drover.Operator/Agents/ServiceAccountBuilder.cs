using Drover.Operator.Children;
using k8s.Models;

namespace Drover.Operator.Agents;

/// <summary>ServiceAccount <c>a</c>: an identity of the agent's own, with no API token mounted into its pods.</summary>
internal static class ServiceAccountBuilder
{
    public static V1ServiceAccount Build(AgentPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new V1ServiceAccount
        {
            ApiVersion = "v1",
            Kind = V1ServiceAccount.KubeKind,
            Metadata = ChildMetadata.For(plan.Agent, plan.Name, plan.Name, ChildLabels.AgentComponent),
            AutomountServiceAccountToken = false,
        };
    }
}
