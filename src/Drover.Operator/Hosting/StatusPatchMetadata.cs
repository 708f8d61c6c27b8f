using k8s;
using k8s.Models;

namespace Drover.Operator.Hosting;

/// <summary>
/// The metadata a status patch needs: where the object is. Only <c>status</c> is compared and sent, and leaving the
/// rest out keeps fields such as <c>managedFields</c> (free-form JSON the Drover JSON context does not describe)
/// out of serialisation.
/// </summary>
internal static class StatusPatchMetadata
{
    public static V1ObjectMeta Of(IKubernetesObject<V1ObjectMeta> obj) => new()
    {
        Name = obj.Metadata.Name,
        NamespaceProperty = obj.Metadata.NamespaceProperty,
    };
}
