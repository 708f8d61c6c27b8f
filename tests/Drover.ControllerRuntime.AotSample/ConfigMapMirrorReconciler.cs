using Drover.ControllerRuntime.Apply;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Controllers;
using Drover.ControllerRuntime.Informers;
using k8s.Models;

namespace Drover.ControllerRuntime.AotSample;

/// <summary>For every ConfigMap labelled <c>sample.drover.dev/mirror=true</c>, keeps an owned copy named <c>&lt;name&gt;-mirror</c>.</summary>
internal sealed class ConfigMapMirrorReconciler(ResourceApplier applier, Informer<V1ConfigMap> mirrors) : IReconciler<V1ConfigMap>
{
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest<V1ConfigMap> request, CancellationToken cancellationToken)
    {
        if (request.Object is not { } source || source.Metadata.DeletionTimestamp is not null)
        {
            return ReconcileResult.Done;
        }

        var desired = new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                Name = source.Metadata.Name + "-mirror",
                NamespaceProperty = source.Metadata.NamespaceProperty,
                Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "drover-sample" },
                OwnerReferences = [OwnerReferences.ControllerOf(source)],
            },
            Data = source.Data ?? new Dictionary<string, string>(),
        };
        var live = mirrors.Cache.Get(ObjectKey.Of(desired));
        await applier.ApplyAsync(SampleKinds.ConfigMaps, desired, live, cancellationToken);
        return ReconcileResult.Done;
    }
}
