using System.Security.Cryptography;
using System.Text;

namespace Drover.Operator.Resolution;

/// <summary>
/// Short digests of secret material (API keys, secret header values) where people can read them: a provider's
/// <c>status.credentialsHash</c> and the <c>drover.dev/config-hash</c> that rolls agents when a key rotates. They are
/// keyed (HMAC-SHA256 with a key only the operator holds, kept in a Secret of its namespace): anyone with the built-in view
/// role reads them, and an unkeyed hash would let them confirm a guessed low-entropy key offline.
/// </summary>
internal sealed class SecretDigest
{
    /// <summary>Hex characters kept: 64 bits, plenty to notice a change.</summary>
    private const int Length = 16;

    private readonly byte[]? _key;

    /// <param name="key">The operator's digest key (at least 32 bytes).</param>
    public SecretDigest(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(key.Length, 32);
        _key = key;
    }

    private SecretDigest()
    {
    }

    /// <summary>
    /// For offline previews (<c>drover render</c>), which have no operator key: secret values enter no digest at all,
    /// so a printed hash changes with the configuration but says nothing about a key.
    /// </summary>
    public static SecretDigest Redacted { get; } = new();

    public bool IsRedacted => _key is null;

    public string Of(string material)
    {
        ArgumentNullException.ThrowIfNull(material);
        return _key is null
            ? "redacted"
            : Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(material)))[..Length];
    }
}
