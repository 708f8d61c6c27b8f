using Drover.Api.V1Alpha1;
using Drover.Operator.Status;

namespace Drover.Operator.ModelProviders;

/// <summary>
/// A ModelProvider after its endpoint and Secrets were read. Holds the secret material agents need, so it is a
/// class whose <see cref="ToString"/> never prints it; status carries only <see cref="CredentialsHash"/>.
/// </summary>
internal sealed class ResolvedProvider
{
    internal ResolvedProvider(
        ModelProvider provider,
        string? endpoint,
        ProviderDestination destination,
        string? apiKey,
        IReadOnlyList<ResolvedHeader> headers,
        string? credentialsHash,
        DesiredCondition ready,
        DesiredCondition credentialsResolved)
    {
        Provider = provider;
        Endpoint = endpoint;
        Destination = destination;
        ApiKey = apiKey;
        Headers = headers;
        CredentialsHash = credentialsHash;
        Ready = ready;
        CredentialsResolved = credentialsResolved;
    }

    /// <summary>The provider with its defaults filled in.</summary>
    public ModelProvider Provider { get; }

    public string Namespace => Provider.Metadata.NamespaceProperty ?? "";

    public string Name => Provider.Metadata.Name;

    public string Type => Provider.Spec.Type;

    /// <summary>The base URL agents call; null only when the spec gives none.</summary>
    public string? Endpoint { get; }

    /// <summary>Where the provider's traffic goes, with its Service's selector and target port when it is in the cluster.</summary>
    public ProviderDestination Destination { get; }

    /// <summary>The API key, or null when the provider has none (or it could not be read).</summary>
    public string? ApiKey { get; }

    /// <summary>Headers sent with every request, secret values included.</summary>
    public IReadOnlyList<ResolvedHeader> Headers { get; }

    /// <summary>Short SHA-256 of the secret material (API key and secret header values); null when there is none.</summary>
    public string? CredentialsHash { get; }

    public DesiredCondition Ready { get; }

    public DesiredCondition CredentialsResolved { get; }

    public bool IsReady => Ready.IsTrue;

    /// <summary>The conditions the provider's status carries.</summary>
    public IReadOnlyList<DesiredCondition> Conditions => [CredentialsResolved, Ready];

    /// <summary>The status fields other than conditions (the reconciler merges those with timestamps).</summary>
    public ModelProviderStatus ToStatus(long? observedGeneration) => new()
    {
        ObservedGeneration = observedGeneration,
        Endpoint = Endpoint,
        CredentialsHash = CredentialsHash,
    };

    public override string ToString() => $"ModelProvider {Namespace}/{Name} ({Type}, {Ready.Reason})";
}

/// <summary>One header sent to a provider; <paramref name="FromSecret"/> values are secret material.</summary>
internal sealed record ResolvedHeader(string Name, string Value, bool FromSecret)
{
    public override string ToString() => FromSecret ? $"{Name}: (secret)" : $"{Name}: {Value}";
}
