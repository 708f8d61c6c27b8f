using k8s.Models;

namespace Drover.Operator.ModelProviders;

/// <summary>Where a provider's traffic goes, as an egress rule needs it.</summary>
internal abstract record ProviderDestination;

/// <summary>
/// A Service in the cluster. <paramref name="Selector"/> and <paramref name="TargetPort"/> come from the Service as
/// resolution found it; both are null when it is not known (not created yet, or not given to <c>render</c>).
/// </summary>
internal sealed record InClusterDestination(ServiceTarget Service, IReadOnlyDictionary<string, string>? Selector, IntOrString? TargetPort) : ProviderDestination;

/// <summary>An endpoint given as an IP address: exactly that host.</summary>
internal sealed record AddressDestination(string Cidr, int Port) : ProviderDestination;

/// <summary>A public host name: any public address on the endpoint's port.</summary>
internal sealed record PublicDestination(int Port) : ProviderDestination;

/// <summary>No endpoint could be read; a provider like that never resolves, so no rule is needed.</summary>
internal sealed record UnknownDestination : ProviderDestination
{
    public static UnknownDestination Instance { get; } = new();
}
