using System.Net;
using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Client;
using Drover.Operator.Cluster;
using Drover.Operator.Resolution;

namespace Drover.Operator.ModelProviders;

/// <summary>
/// What a ModelProvider reads from the cluster, stated once: the Secrets holding its key and header values, and the
/// Service in front of an in-cluster model server (from <c>spec.serviceRef</c>, or an endpoint written as a cluster
/// DNS name). The cache indexes that carry a change of one of these back to the provider and the resolver that reads
/// them both come from here, so they cannot disagree.
/// </summary>
internal static class ProviderReferences
{
    /// <summary>Provider index: <c>namespace/name</c> of every Secret the provider reads.</summary>
    public const string BySecret = "provider-secrets";

    /// <summary>Provider index: <c>namespace/name</c> of the Service the provider's traffic goes to.</summary>
    public const string ByService = "provider-services";

    /// <summary>Registers the provider indexes, and has the Services the providers name cached.</summary>
    public static void Register(OperatorInformers informers)
    {
        ArgumentNullException.ThrowIfNull(informers);
        var providers = informers.ModelProviders;
        providers.AddIndex(BySecret, p => SecretKeys(p).Select(use => OperatorInformers.Key(p.Metadata.NamespaceProperty, use.Reference.Name)));
        providers.AddIndex(ByService, p => Service(p) is { } service ? [OperatorInformers.Key(service.Namespace, service.Name)] : []);
        informers.Services.Follow(providers, ServiceKeys);
    }

    /// <summary>Waits until what <paramref name="provider"/> reads by name is cached (its Service), so it is not reported missing.</summary>
    public static Task ReadyAsync(ModelProvider provider, OperatorInformers informers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(informers);
        return informers.Services.WaitForAsync(ServiceKeys(provider), OperatorInformers.ReferenceWait, cancellationToken);
    }

    private static IEnumerable<ObjectKey> ServiceKeys(ModelProvider provider) =>
        Service(provider) is { } service ? [new ObjectKey(service.Namespace, service.Name)] : [];

    /// <summary>Every Secret key the provider reads, in the order its fields appear; all in the provider's namespace.</summary>
    public static IEnumerable<SecretKeyUse> SecretKeys(ModelProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var spec = provider.Spec;
        if (spec.ApiKey?.SecretKeyRef is { } keyRef && IsComplete(keyRef))
        {
            yield return new SecretKeyUse("spec.apiKey.secretKeyRef", "API key", HeaderIndex: null, keyRef);
        }

        var headers = spec.Headers ?? [];
        for (var i = 0; i < headers.Count; i++)
        {
            if (headers[i].ValueFrom?.SecretKeyRef is { } headerRef && IsComplete(headerRef))
            {
                yield return new SecretKeyUse($"spec.headers[{i}].valueFrom.secretKeyRef", $"value of header {headers[i].Name}", i, headerRef);
            }
        }
    }

    /// <summary>
    /// The Service the provider's traffic goes to: <c>spec.serviceRef</c>, else an endpoint whose host is
    /// <c>name.namespace.svc</c> (optionally <c>.cluster.local</c>); null for anything outside the cluster.
    /// </summary>
    public static ServiceTarget? Service(ModelProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (provider.Spec.ServiceRef is { Name.Length: > 0 } serviceRef)
        {
            return new ServiceTarget(serviceRef.Namespace ?? provider.Metadata.NamespaceProperty ?? "", serviceRef.Name, serviceRef.Port);
        }

        return EndpointUri(provider) is { } uri ? ServiceOf(uri) : null;
    }

    /// <summary>Where the provider's traffic goes, before the Service (if any) is looked up.</summary>
    public static ProviderDestination Destination(ModelProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (Service(provider) is { } service)
        {
            return new InClusterDestination(service, Selector: null, TargetPort: null);
        }

        return EndpointUri(provider) is { } uri ? DestinationOf(uri) : UnknownDestination.Instance;
    }

    /// <summary>Where traffic to <paramref name="uri"/> goes: a cluster Service, an address, or any public host.</summary>
    public static ProviderDestination DestinationOf(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (ServiceOf(uri) is { } service)
        {
            return new InClusterDestination(service, Selector: null, TargetPort: null);
        }

        if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address))
        {
            var prefix = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
            return new AddressDestination($"{address}/{prefix}", uri.Port);
        }

        return new PublicDestination(uri.Port);
    }

    /// <summary>
    /// <paramref name="destination"/> with its Service's pod selector and target port filled in from the cluster: a
    /// policy matches pods, so a rule for an in-cluster destination needs them.
    /// </summary>
    public static ProviderDestination Located(ProviderDestination destination, IClusterLookup cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        if (destination is not InClusterDestination inCluster
            || cluster.Service(inCluster.Service.Namespace, inCluster.Service.Name) is not { Spec.Selector.Count: > 0 } service)
        {
            return destination;
        }

        var target = service.Spec.Ports?.FirstOrDefault(p => p.Port == inCluster.Service.Port)?.TargetPort;
        return inCluster with
        {
            Selector = new SortedDictionary<string, string>(service.Spec.Selector, StringComparer.Ordinal),
            TargetPort = target is { Value.Length: > 0 } ? target : null,
        };
    }

    private static Uri? EndpointUri(ModelProvider provider)
    {
        var endpoint = string.IsNullOrEmpty(provider.Spec.Endpoint) ? Defaults.EndpointFor(provider.Spec.Type) : provider.Spec.Endpoint;
        return Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) ? uri : null;
    }

    private static ServiceTarget? ServiceOf(Uri uri)
    {
        var labels = uri.Host.Split('.');
        return labels.Length >= 3 && labels[2] == "svc" && (labels.Length == 3 || string.Join('.', labels[3..]) == "cluster.local")
            ? new ServiceTarget(labels[1], labels[0], uri.Port)
            : null;
    }

    private static bool IsComplete(SecretKeyReference reference) => !string.IsNullOrEmpty(reference.Name) && !string.IsNullOrEmpty(reference.Key);
}

/// <summary>One Secret key a provider reads.</summary>
/// <param name="Field">Where the reference is set, for messages (spec.apiKey.secretKeyRef, ...).</param>
/// <param name="What">What the value is, in words (API key, value of header X).</param>
/// <param name="HeaderIndex">Which of <c>spec.headers</c> the value is sent as; null for the API key.</param>
/// <param name="Reference">The Secret name and key, in the provider's namespace.</param>
internal sealed record SecretKeyUse(string Field, string What, int? HeaderIndex, SecretKeyReference Reference);

/// <summary>A Service by namespace and name, and the port the provider's traffic goes to.</summary>
internal sealed record ServiceTarget(string Namespace, string Name, int Port);
