using System.Text.RegularExpressions;

namespace Drover.Api.Validation;

/// <summary>The name formats Kubernetes imposes on the objects Drover creates.</summary>
internal static partial class KubernetesNames
{
    /// <summary>RFC 1035 label: what Service names must be.</summary>
    public static bool IsDns1035Label(string? name) => name is { Length: > 0 and <= 63 } && Dns1035Label().IsMatch(name);

    /// <summary>RFC 1123 label: what namespace names must be.</summary>
    public static bool IsDns1123Label(string? name) => name is { Length: > 0 and <= 63 } && Dns1123Label().IsMatch(name);

    /// <summary>A C identifier-ish environment variable name, as the kubelet accepts most portably.</summary>
    public static bool IsEnvVarName(string? name) => name is { Length: > 0 } && EnvVarName().IsMatch(name);

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035Label();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^[-._a-zA-Z][-._a-zA-Z0-9]*$")]
    private static partial Regex EnvVarName();
}
