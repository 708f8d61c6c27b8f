using k8s;
using k8s.Models;

namespace Drover.ControllerRuntime.Apply;

/// <summary>The controller ownerReference a child carries so GC deletes it with its owner and watches map it back.</summary>
public static class OwnerReferences
{
    public static V1OwnerReference ControllerOf(IKubernetesObject<V1ObjectMeta> owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return new V1OwnerReference
        {
            ApiVersion = owner.ApiVersion,
            Kind = owner.Kind,
            Name = owner.Metadata.Name,
            Uid = owner.Metadata.Uid,
            Controller = true,
            BlockOwnerDeletion = true,
        };
    }
}
