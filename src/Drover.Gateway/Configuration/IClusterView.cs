using Drover.Api.V1Alpha1;
using k8s.Models;

namespace Drover.Gateway.Configuration;

/// <summary>What the gateway reads from the cluster, as current as its watches: informer caches in production, plain objects in tests.</summary>
internal interface IClusterView
{
    Agent? Agent(string ns, string name);

    Schedule? Schedule(string ns, string name);

    ModelProvider? Provider(string ns, string name);

    /// <summary>A Secret labelled as provider credentials; null when it is missing or not labelled.</summary>
    V1Secret? CredentialSecret(string ns, string name);

    /// <summary>A namespace's labels; null when the namespace is unknown.</summary>
    IReadOnlyDictionary<string, string>? NamespaceLabels(string ns);

    GatewayKeys Keys { get; }
}
