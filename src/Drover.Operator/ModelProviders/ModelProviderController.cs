using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Controllers;
using Drover.Operator.Cluster;
using Microsoft.Extensions.Logging;

namespace Drover.Operator.ModelProviders;

/// <summary>What the ModelProvider controller watches: the providers, and the Secrets they read (<see cref="ProviderReferences"/>).</summary>
internal static class ModelProviderController
{
    public const string Name = "modelproviders";

    public static Controller<ModelProvider> Create(
        OperatorInformers informers,
        ModelProviderReconciler reconciler,
        ControllerOptions options,
        ILogger logger,
        TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(informers);
        return new Controller<ModelProvider>(Name, informers.ModelProviders, reconciler, options, logger, time)
            .Watches(informers.CredentialSecrets, secret => informers.ModelProviders.Cache.KeysByIndex(ProviderReferences.BySecret, OperatorInformers.Key(secret)));
    }
}
