using Drover.Operator.Children;
using k8s.Models;

namespace Drover.Operator.Agents;

/// <summary>PersistentVolumeClaim <c>a-workspace</c>, only when the agent asks for storage.</summary>
internal static class WorkspaceClaimBuilder
{
    public static V1PersistentVolumeClaim? Build(AgentPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Spec.Storage is not { Size: { } size } storage)
        {
            return null;
        }

        return new V1PersistentVolumeClaim
        {
            ApiVersion = "v1",
            Kind = V1PersistentVolumeClaim.KubeKind,
            Metadata = ChildMetadata.For(plan.Agent, plan.WorkspaceClaimName, plan.Name, ChildLabels.AgentComponent),
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                StorageClassName = storage.StorageClassName,
                Resources = new V1VolumeResourceRequirements
                {
                    Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = size },
                },
            },
        };
    }
}
