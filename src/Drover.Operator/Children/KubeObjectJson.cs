using System.Text.Json;
using System.Text.Json.Nodes;
using Drover.Api;
using Drover.Api.V1Alpha1;
using k8s;
using k8s.Models;

namespace Drover.Operator.Children;

/// <summary>
/// JSON of the objects the operator builds and reads, through source-generated metadata only (<see cref="ChildJsonContext"/>
/// and <see cref="DroverJsonContext"/>), so NativeAOT keeps working.
/// </summary>
public static class KubeObjectJson
{
    public static JsonObject ToJson(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var k8s = ChildJsonContext.Default;
        var node = obj switch
        {
            V1ServiceAccount o => JsonSerializer.SerializeToNode(o, k8s.V1ServiceAccount),
            V1Secret o => JsonSerializer.SerializeToNode(o, k8s.V1Secret),
            V1ConfigMap o => JsonSerializer.SerializeToNode(o, k8s.V1ConfigMap),
            V1Deployment o => JsonSerializer.SerializeToNode(o, k8s.V1Deployment),
            V1Service o => JsonSerializer.SerializeToNode(o, k8s.V1Service),
            V1NetworkPolicy o => JsonSerializer.SerializeToNode(o, k8s.V1NetworkPolicy),
            V1PersistentVolumeClaim o => JsonSerializer.SerializeToNode(o, k8s.V1PersistentVolumeClaim),
            V1CronJob o => JsonSerializer.SerializeToNode(o, k8s.V1CronJob),
            V1Namespace o => JsonSerializer.SerializeToNode(o, k8s.V1Namespace),
            Agent o => JsonSerializer.SerializeToNode(o, DroverJsonContext.Default.Agent),
            ModelProvider o => JsonSerializer.SerializeToNode(o, DroverJsonContext.Default.ModelProvider),
            Schedule o => JsonSerializer.SerializeToNode(o, DroverJsonContext.Default.Schedule),
            _ => throw new ArgumentException($"{obj.GetType().Name} has no JSON metadata registered here.", nameof(obj)),
        };
        return node as JsonObject ?? throw new InvalidOperationException($"{obj.Kind} did not serialise to a JSON object.");
    }
}
