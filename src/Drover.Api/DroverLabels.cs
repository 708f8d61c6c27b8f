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

    /// <summary>On a Secret holding the gateway key of an Agent or a Schedule (value <see cref="True"/>).</summary>
    public const string GatewayKey = "drover.dev/gateway-key";

    /// <summary>The Agent a gateway key belongs to, for people and selectors (the gateway trusts the owner reference).</summary>
    public const string Agent = "drover.dev/agent";

    /// <summary>The Schedule a gateway key belongs to.</summary>
    public const string Schedule = "drover.dev/schedule";

    /// <summary>
    /// On an Agent or Schedule: a new value asks for a new gateway key (the old one stops working once the gateway
    /// sees the new Secret). Any value; a timestamp is customary.
    /// </summary>
    public const string RotateGatewayKey = "drover.dev/rotate-gateway-key";
}
