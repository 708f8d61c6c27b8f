namespace Drover.Api;

/// <summary>Labels with a meaning across Drover: the operator, the gateway and the people who label their Secrets.</summary>
public static class DroverLabels
{
    /// <summary>
    /// A Secret a ModelProvider may read its key and header values from must carry this label with the value
    /// <see cref="True"/>: a provider cannot export any other Secret of its namespace, and the operator and the gateway
    /// watch only labelled Secrets.
    /// </summary>
    public const string ProviderCredentials = "drover.dev/provider-credentials";

    /// <summary>The value a boolean Drover label must have to mean yes.</summary>
    public const string True = "true";

    /// <summary><c>kubectl label</c>'s way of writing the provider-credentials label.</summary>
    public const string ProviderCredentialsSelector = ProviderCredentials + "=" + True;
}
