using Drover.Api.V1Alpha1;
using k8s.Models;

namespace Drover.Operator.Resolution;

/// <summary>
/// The objects resolution reads, by namespace and name. The operator answers from its informer caches, the
/// <c>render</c> command from the files it was given; resolution itself never does I/O.
/// Returned objects may be shared: never change them.
/// </summary>
internal interface IClusterLookup
{
    ModelProvider? ModelProvider(string ns, string name);

    Agent? Agent(string ns, string name);

    V1Secret? Secret(string ns, string name);

    V1ConfigMap? ConfigMap(string ns, string name);

    V1Service? Service(string ns, string name);

    /// <summary>How secret material is digested where people can read the result (credentialsHash, config-hash).</summary>
    SecretDigest SecretDigest { get; }

    /// <summary>
    /// The gateway key an Agent or Schedule should hold: what its key Secret <paramref name="secretName"/> has, unless
    /// <paramref name="rotation"/> asks for a new one or there is none.
    /// </summary>
    Gateway.GatewayKey GatewayKey(string ns, string secretName, string? ownerUid, string? rotation);

    /// <summary>The labels of namespace <paramref name="ns"/>, or null when it is unknown.</summary>
    IReadOnlyDictionary<string, string>? NamespaceLabels(string ns);
}
