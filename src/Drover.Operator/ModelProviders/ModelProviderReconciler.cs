using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Apply;
using Drover.ControllerRuntime.Client;
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
    KubeApiClient client,
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

        await ProviderReferences.ReadyAsync(provider, informers, cancellationToken);
        var resolved = ModelProviderResolver.Resolve(provider, informers);
        var credentials = resolved.CredentialsResolved;
        var ready = resolved.Ready;
        if (credentials.Reason == ModelProviderReasons.SecretNotFound && await FindUnlabelledAsync(provider, cancellationToken) is { } unlabelled)
        {
            credentials = unlabelled;
            ready = DesiredCondition.Failed(ConditionTypes.Ready, unlabelled.Reason, unlabelled.Message);
        }

        var generation = provider.Metadata.Generation;
        var status = resolved.ToStatus(generation);
        status.Conditions = StatusConditions.Merge(provider.Status?.Conditions, [credentials, ready], generation, time.GetUtcNow());
        await statuses.WriteAsync(provider, status, cancellationToken);

        if (!ready.IsTrue)
        {
            OperatorLog.ProviderNotReady(logger, provider.Metadata.NamespaceProperty, provider.Metadata.Name, ready.Reason, ready.Message);
            await events.WarningAsync(provider, ready.Reason, "Resolve", ready.Message, cancellationToken);
        }

        return ReconcileResult.Done;
    }

    // The cache holds only labelled Secrets, so one it lacks may exist unlabelled. Asking for its metadata alone tells
    // the user which command fixes it, without the operator ever receiving the Secret's data.
    private async Task<DesiredCondition?> FindUnlabelledAsync(ModelProvider provider, CancellationToken cancellationToken)
    {
        var ns = provider.Metadata.NamespaceProperty;
        foreach (var use in ProviderReferences.SecretKeys(provider))
        {
            if (informers.CredentialSecrets.Cache.Get(ns, use.Reference.Name) is null
                && await client.GetMetadataAsync(OperatorKinds.Secrets, ns, use.Reference.Name, cancellationToken) is not null)
            {
                return ModelProviderResolver.NotLabelled(provider, use);
            }
        }

        return null;
    }
}
