using System.Text;
using Drover.Api;
using Drover.Operator.Children;
using k8s;
using k8s.Models;

namespace Drover.Operator.Gateway;

/// <summary>
/// Secret <c>&lt;owner&gt;-gateway</c>: the gateway key of an Agent or a Schedule, controlled by it (the gateway accepts
/// a key only from a labelled Secret named after its controller, and checks that controller still exists).
/// </summary>
internal static class GatewayKeySecretBuilder
{
    /// <param name="owner">The Agent or Schedule the key identifies.</param>
    /// <param name="agentName">The agent whose pods use it (the Schedule's agent for a Schedule).</param>
    /// <param name="component">The owner's component label (agent or schedule).</param>
    /// <param name="key">The token and the rotation it answers.</param>
    public static V1Secret Build(IKubernetesObject<V1ObjectMeta> owner, string agentName, string component, GatewayKey key)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(key);
        var metadata = ChildMetadata.For(owner, GatewayKey.SecretName(owner.Metadata.Name), agentName, component);
        metadata.Labels[DroverLabels.GatewayKey] = DroverLabels.True;
        metadata.Labels[component == ChildLabels.ScheduleComponent ? DroverLabels.Schedule : DroverLabels.Agent] = owner.Metadata.Name;
        if (key.Rotation is { } rotation)
        {
            metadata.Annotations = new Dictionary<string, string> { [GatewayKey.RotationAnnotation] = rotation };
        }

        return new V1Secret
        {
            ApiVersion = "v1",
            Kind = V1Secret.KubeKind,
            Metadata = metadata,
            Type = "Opaque",
            Data = new Dictionary<string, byte[]> { [GatewayKey.TokenKey] = Encoding.UTF8.GetBytes(key.Token) },
        };
    }
}
