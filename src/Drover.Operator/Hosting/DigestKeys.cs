using System.Security.Cryptography;
using Drover.ControllerRuntime.Client;
using Drover.Operator.Cluster;
using Drover.Operator.Resolution;
using k8s.Models;

namespace Drover.Operator.Hosting;

/// <summary>
/// The operator's digest key (<see cref="SecretDigest"/>): a Secret in the operator's own namespace holding 256 random
/// bits, created by the first replica that starts and read by every later one, so digests, and with them the agents'
/// config hashes, stay the same across restarts and replicas: no agent rolls because the operator restarted.
/// </summary>
internal static class DigestKeys
{
    public const string SecretName = "drover-digest-key";

    public const string DataKey = "key";

    public static async Task<SecretDigest> LoadOrCreateAsync(KubeApiClient client, string ns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(ns);
        for (var attempt = 0; ; attempt++)
        {
            if (await client.GetAsync(OperatorKinds.Secrets, ns, SecretName, cancellationToken) is { } existing)
            {
                return existing.Data?.TryGetValue(DataKey, out var stored) == true && stored.Length >= 32
                    ? new SecretDigest(stored)
                    : throw new InvalidOperationException(
                        $"Secret {ns}/{SecretName} has no key \"{DataKey}\" of at least 32 bytes; delete the Secret and restart the operator to create a "
                        + "new one (every agent then rolls once, as its config hash changes).");
            }

            var key = RandomNumberGenerator.GetBytes(32);
            try
            {
                await client.CreateAsync(OperatorKinds.Secrets, New(ns, key), cancellationToken);
                return new SecretDigest(key);
            }
            catch (KubeApiException e) when (e.IsConflict && attempt < 3)
            {
                // Another replica created it first: use theirs.
            }
        }
    }

    // Not labelled managed-by drover: it is no agent's child, and stays out of the child caches.
    private static V1Secret New(string ns, byte[] key) => new()
    {
        ApiVersion = "v1",
        Kind = V1Secret.KubeKind,
        Metadata = new V1ObjectMeta
        {
            Name = SecretName,
            NamespaceProperty = ns,
            Labels = new Dictionary<string, string>
            {
                ["app.kubernetes.io/name"] = "drover",
                ["app.kubernetes.io/component"] = "digest-key",
            },
        },
        Type = "Opaque",
        Data = new Dictionary<string, byte[]> { [DataKey] = key },
    };
}
