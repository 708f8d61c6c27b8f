namespace Drover.Gateway.Configuration;

/// <summary>The labels and names that tie Secrets to the gateway: the contract the operator writes to.</summary>
internal static class GatewayLabels
{
    /// <summary>On a Secret holding an Agent's or Schedule's gateway key.</summary>
    public const string GatewayKey = Drover.Api.DroverLabels.GatewayKey;

    /// <summary>On a Secret a ModelProvider may read its API key and header values from.</summary>
    public const string ProviderCredentials = Drover.Api.DroverLabels.ProviderCredentials;

    /// <summary>The agent a gateway key belongs to (for people; the gateway trusts the owner reference).</summary>
    public const string Agent = Drover.Api.DroverLabels.Agent;

    /// <summary>The schedule a gateway key belongs to.</summary>
    public const string Schedule = Drover.Api.DroverLabels.Schedule;

    /// <summary>The data key of a gateway key Secret holding the token.</summary>
    public const string TokenKey = "token";

    /// <summary>What every gateway token starts with, so it is recognisable in a leak scan.</summary>
    public const string TokenPrefix = "drv_";

    /// <summary>The name of the gateway key Secret of an Agent or Schedule.</summary>
    public static string KeySecretName(string owner) => owner + "-gateway";

    public static string GatewayKeySelector => GatewayKey + "=true";

    public static string ProviderCredentialsSelector => ProviderCredentials + "=true";

    public static bool Has(IDictionary<string, string>? labels, string label) =>
        labels is not null && labels.TryGetValue(label, out var value) && value == "true";
}
