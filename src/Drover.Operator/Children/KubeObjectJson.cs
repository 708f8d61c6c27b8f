using System.Text.Json;
using System.Text.Json.Nodes;
using Drover.Api;
using Drover.Api.V1Alpha1;
using k8s;
using k8s.Models;

namespace Drover.Operator.Children;

/// <summary>
/// JSON of the objects the operator builds and reads, through source-generated metadata only (each child kind's in
/// <see cref="ChildKinds"/>, Drover's own in <see cref="DroverJsonContext"/>), so NativeAOT keeps working.
/// </summary>
internal static class KubeObjectJson
{
    public static JsonObject ToJson(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var node = obj switch
        {
            Agent o => JsonSerializer.SerializeToNode(o, DroverJsonContext.Default.Agent),
            ModelProvider o => JsonSerializer.SerializeToNode(o, DroverJsonContext.Default.ModelProvider),
            Schedule o => JsonSerializer.SerializeToNode(o, DroverJsonContext.Default.Schedule),
            _ => ChildKinds.Of(obj).ToJson(obj),
        };
        return node as JsonObject ?? throw new InvalidOperationException($"{obj.Kind} did not serialise to a JSON object.");
    }
}
