using Drover.Api.V1Alpha1;
using Drover.Operator.Children;
using k8s.Models;

namespace Drover.Operator.Agents;

/// <summary>
/// PersistentVolumeClaim <c>a-workspace</c>, only when the agent asks for storage. The workspace is the agent's memory,
/// so by default (whenDeleted: Retain) the claim has no ownerReference: deleting the Agent, or its storage, leaves it
/// and its volume in place, and an Agent of the same name adopts it. With Delete the Agent owns it and it goes with it.
/// </summary>
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
            Metadata = Metadata(plan, storage),
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

    private static V1ObjectMeta Metadata(AgentPlan plan, WorkspaceStorage storage)
    {
        var metadata = ChildMetadata.For(plan.Agent, plan.WorkspaceClaimName, plan.Name, ChildLabels.AgentComponent);
        if ((storage.WhenDeleted ?? Defaults.WhenDeleted) != WorkspaceRetention.Delete)
        {
            metadata.OwnerReferences = null;
        }

        return metadata;
    }
}
