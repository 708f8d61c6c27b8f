using Drover.DevCluster.Protocol;
using Drover.DevCluster.Storage;

namespace Drover.DevCluster.Http;

/// <summary>
/// <c>pods/{name}/log</c>. The dev cluster runs no containers, so there are never logs to stream; it says so at once,
/// as a 400 <c>Status</c> kubectl prints, instead of leaving <c>kubectl logs</c> to wait for a kubelet.
/// </summary>
internal static class PodLogs
{
    public static ApiException Unavailable(StoredObject pod) =>
        ApiException.BadRequest($"the dev cluster runs no containers, so pod \"{pod.Name}\" has no logs");
}
