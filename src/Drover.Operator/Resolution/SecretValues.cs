using System.Text;
using k8s.Models;

namespace Drover.Operator.Resolution;

/// <summary>Reads one key of a Secret the way the API server stores it: <c>stringData</c> overrides <c>data</c>.</summary>
internal static class SecretValues
{
    public static bool TryGet(V1Secret secret, string key, out string value)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.StringData is { } text && text.TryGetValue(key, out var plain) && plain is not null)
        {
            value = plain;
            return true;
        }

        if (secret.Data is { } data && data.TryGetValue(key, out var bytes) && bytes is not null)
        {
            value = Encoding.UTF8.GetString(bytes);
            return true;
        }

        value = "";
        return false;
    }

    /// <summary>Every key the Secret holds, sorted, for messages that help find a mistyped key.</summary>
    public static IReadOnlyList<string> Keys(V1Secret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return [.. (secret.Data?.Keys ?? []).Concat(secret.StringData?.Keys ?? []).Distinct().Order(StringComparer.Ordinal)];
    }
}
