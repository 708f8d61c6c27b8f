using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Apply;
using Drover.ControllerRuntime.Controllers;
using Drover.Operator.Cluster;
using Drover.Operator.Observability;
using Drover.Operator.Status;
using Microsoft.Extensions.Logging;

namespace Drover.Operator.ModelProviders;

/// <summary>
/// Publishes a ModelProvider's resolved endpoint, credentials hash and conditions. It writes nothing else: agents
/// resolve the provider themselves from the same caches, so a provider's status is for people and tools.
/// A provider that cannot resolve is a finished reconcile (False condition, Warning Event, log line): the Secret
/// watch brings it back when the missing input appears.
/// </summary>
internal sealed class ModelProviderReconciler(
    OperatorInformers informers,
    StatusWriter statuses,
    EventRecorder events,
    ILogger<ModelProviderReconciler> logger,
    TimeProvider time) : IReconciler<ModelProvider>
{
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest<ModelProvider> request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Object is not { } provider || provider.Metadata.DeletionTimestamp is not null)
        {
            return ReconcileResult.Done;
        }

        var resolved = ModelProviderResolver.Resolve(provider, informers);
        var generation = provider.Metadata.Generation;
        var status = resolved.ToStatus(generation);
        status.Conditions = StatusConditions.Merge(provider.Status?.Conditions, resolved.Conditions, generation, time.GetUtcNow());
        await statuses.WriteAsync(provider, status, cancellationToken);

        if (!resolved.IsReady)
        {
            OperatorLog.ProviderNotReady(logger, provider.Metadata.NamespaceProperty, provider.Metadata.Name, resolved.Ready.Reason, resolved.Ready.Message);
            await events.WarningAsync(provider, resolved.Ready.Reason, "Resolve", resolved.Ready.Message, cancellationToken);
        }

        return ReconcileResult.Done;
    }
}
