namespace Drover.Operator.ModelProviders;

/// <summary>The reasons of a ModelProvider's Ready and CredentialsResolved conditions.</summary>
internal static class ModelProviderReasons
{
    /// <summary>Endpoint and credentials were resolved.</summary>
    public const string Resolved = "Resolved";

    /// <summary>A referenced Secret does not exist in the provider's namespace.</summary>
    public const string SecretNotFound = "SecretNotFound";

    /// <summary>
    /// A referenced Secret exists but is not labelled <c>drover.dev/provider-credentials: "true"</c>, so a provider may
    /// not read it: credentials opt in, and no provider can export another Secret of its namespace.
    /// </summary>
    public const string SecretNotLabelled = "SecretNotLabelled";

    /// <summary>A referenced Secret exists but lacks the key, or the key is empty.</summary>
    public const string KeyNotFound = "KeyNotFound";

    /// <summary>The type has no default endpoint and neither endpoint nor serviceRef is set.</summary>
    public const string EndpointRequired = "EndpointRequired";

    /// <summary>The spec breaks a rule the CRD schema cannot express.</summary>
    public const string InvalidSpec = "InvalidSpec";
}
