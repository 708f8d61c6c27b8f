using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Drover.Api;
using Drover.Api.V1Alpha1;
using k8s.Models;

namespace Drover.Gateway.Configuration;

/// <summary>Who a gateway key Secret says its token belongs to; checked against the live owner on every use.</summary>
internal sealed record KeyOwner(string Namespace, string SecretName, string Kind, string Name, string Uid);

/// <summary>
/// The gateway keys in force, held as SHA-256 digests of the tokens (never the tokens). A presented token is hashed,
/// looked up by digest, and the stored digest compared with it in constant time: the lookup only narrows candidates
/// by a hash an attacker cannot steer towards a real key.
/// </summary>
internal sealed class GatewayKeys
{
    private readonly ConcurrentDictionary<string, (byte[] Digest, KeyOwner Owner)> _byDigest = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string, string), string> _digestBySecret = new();

    public int Count => _byDigest.Count;

    /// <summary>Takes in a gateway key Secret (or its new version); a Secret that is not a valid key is forgotten.</summary>
    public void Put(V1Secret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var ns = secret.Metadata?.NamespaceProperty ?? "";
        var name = secret.Metadata?.Name ?? "";
        Remove(ns, name);
        if (Owner(secret) is not { } owner
            || secret.Data is null
            || !secret.Data.TryGetValue(GatewayLabels.TokenKey, out var token)
            || token is not { Length: > 0 })
        {
            return;
        }

        var digest = SHA256.HashData(token);
        var key = Convert.ToHexString(digest);
        _byDigest[key] = (digest, owner);
        _digestBySecret[(ns, name)] = key;
    }

    public void Remove(V1Secret secret) => Remove(secret?.Metadata?.NamespaceProperty ?? "", secret?.Metadata?.Name ?? "");

    /// <summary>The owner the token was issued to, or null for an unknown token.</summary>
    public KeyOwner? Find(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        return _byDigest.TryGetValue(Convert.ToHexString(digest), out var entry) && CryptographicOperations.FixedTimeEquals(entry.Digest, digest)
            ? entry.Owner
            : null;
    }

    private void Remove(string ns, string name)
    {
        if (_digestBySecret.TryRemove((ns, name), out var key))
        {
            _byDigest.TryRemove(key, out _);
        }
    }

    /// <summary>
    /// The Agent or Schedule a key Secret belongs to: its controller owner reference, when the Secret carries the
    /// gateway-key label and is named after that owner. Anything else is not a key.
    /// </summary>
    private static KeyOwner? Owner(V1Secret secret)
    {
        var meta = secret.Metadata;
        if (meta is null || !GatewayLabels.Has(meta.Labels, GatewayLabels.GatewayKey))
        {
            return null;
        }

        var controller = meta.OwnerReferences?.FirstOrDefault(o => o.Controller == true);
        if (controller is null
            || controller.Kind is not (Agent.KubeKind or Schedule.KubeKind)
            || !(controller.ApiVersion ?? "").StartsWith(DroverApi.Group + "/", StringComparison.Ordinal)
            || string.IsNullOrEmpty(controller.Uid)
            || meta.Name != GatewayLabels.KeySecretName(controller.Name))
        {
            return null;
        }

        return new KeyOwner(meta.NamespaceProperty ?? "", meta.Name, controller.Kind, controller.Name, controller.Uid);
    }
}
