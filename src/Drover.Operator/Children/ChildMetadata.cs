using Drover.ControllerRuntime.Apply;
using k8s;
using k8s.Models;

namespace Drover.Operator.Children;

/// <summary>The metadata every child shares: its owner's namespace, the labels and one controller ownerReference.</summary>
internal static class ChildMetadata
{
    public static V1ObjectMeta For(
        IKubernetesObject<V1ObjectMeta> owner,
        string name,
        string agentName,
        string component)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = owner.Metadata.NamespaceProperty,
            Labels = ChildLabels.For(agentName, owner.Metadata.Name, component),
            OwnerReferences = [OwnerReference(owner)],
        };
    }

    // An owner read from a file has no uid yet; an empty uid would be rejected by the API server, so it is left out.
    private static V1OwnerReference OwnerReference(IKubernetesObject<V1ObjectMeta> owner)
    {
        var reference = OwnerReferences.ControllerOf(owner);
        if (string.IsNullOrEmpty(reference.Uid))
        {
            reference.Uid = null;
        }

        return reference;
    }
}
