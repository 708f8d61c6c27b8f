using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Drover.Api;
using k8s.Models;

namespace Drover.Operator.Gateway;

/// <summary>
/// The gateway key of one Agent or Schedule: a bearer token of 256 random bits, kept in the Secret
/// <c>&lt;owner&gt;-gateway</c> (key <c>token</c>). <paramref name="Rotation"/> is the owner's
/// <c>drover.dev/rotate-gateway-key</c> value the token was issued for; a different value asks for a new token.
/// </summary>
internal sealed record GatewayKey(string Token, string? Rotation)
{
    /// <summary>The data key of the key Secret holding the token (what the gateway reads and pods mount).</summary>
    public const string TokenKey = "token";

    /// <summary>What every token starts with, so a leaked one is recognisable in a scan.</summary>
    public const string TokenPrefix = "drv_";

    /// <summary>On the key Secret: the rotation request its token answers.</summary>
    public const string RotationAnnotation = "drover.dev/gateway-key-rotation";

    /// <summary>The name of the key Secret of an Agent or Schedule.</summary>
    public static string SecretName(string owner) => owner + "-gateway";

    /// <summary>A fresh token: <c>drv_</c> and 256 random bits, base64url.</summary>
    public static string NewToken() =>
        TokenPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The key a live key Secret holds, when it is one (labelled, with a token of the expected form).</summary>
    public static GatewayKey? From(V1Secret? secret)
    {
        if (secret?.Metadata?.Labels?.TryGetValue(DroverLabels.GatewayKey, out var label) != true
            || label != DroverLabels.True
            || secret.Data?.TryGetValue(TokenKey, out var bytes) != true
            || bytes is not { Length: > 0 })
        {
            return null;
        }

        var token = Encoding.UTF8.GetString(bytes);
        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rotation = secret.Metadata.Annotations?.TryGetValue(RotationAnnotation, out var value) == true ? value : null;
        return new GatewayKey(token, string.IsNullOrEmpty(rotation) ? null : rotation);
    }
}

/// <summary>
/// Decides the key each owner should hold: the one its Secret has, unless a rotation was asked for or there is none.
/// A token issued but not yet in the cache is remembered, so a reconcile woken before the watch delivers the new Secret
/// does not issue (and roll the agent to) yet another one.
/// </summary>
internal sealed class GatewayKeyIssuer(Func<string> newToken)
{
    private readonly ConcurrentDictionary<(string Namespace, string Secret, string? OwnerUid), GatewayKey> _issued = new();

    public GatewayKeyIssuer()
        : this(GatewayKey.NewToken)
    {
    }

    /// <param name="ns">The owner's namespace.</param>
    /// <param name="secretName">The key Secret's name.</param>
    /// <param name="ownerUid">The owner's uid: a recreated owner of the same name gets a new key.</param>
    /// <param name="live">The key its Secret holds now (null when there is none).</param>
    /// <param name="rotation">The owner's rotation request (its <c>drover.dev/rotate-gateway-key</c> annotation).</param>
    public GatewayKey KeyFor(string ns, string secretName, string? ownerUid, GatewayKey? live, string? rotation)
    {
        var wanted = string.IsNullOrEmpty(rotation) ? null : rotation;
        var slot = (ns, secretName, ownerUid);
        if (live is not null && (wanted is null || live.Rotation == wanted))
        {
            _issued.TryRemove(slot, out _);
            return live;
        }

        return _issued.AddOrUpdate(
            slot,
            _ => new GatewayKey(newToken(), wanted),
            (_, issued) => issued.Rotation == wanted ? issued : new GatewayKey(newToken(), wanted));
    }

    /// <summary>Forgets what was issued to an owner that is gone.</summary>
    public void Forget(string ns, string secretName) =>
        _issued.Keys.Where(k => k.Namespace == ns && k.Secret == secretName).ToList().ForEach(k => _issued.TryRemove(k, out _));
}
