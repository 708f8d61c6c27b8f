using Drover.Api.V1Alpha1;

namespace Drover.Gateway.Configuration;

/// <summary>One link of an agent's model chain: a provider reference and the model asked of it.</summary>
/// <param name="ProviderNamespace">Namespace of the ModelProvider.</param>
/// <param name="ProviderName">Name of the ModelProvider.</param>
/// <param name="Model">The model name; null when neither the agent nor the provider names one.</param>
internal sealed record ChainLink(string ProviderNamespace, string ProviderName, string? Model)
{
    public string ProviderKey => $"{ProviderNamespace}/{ProviderName}";
}

/// <summary>Everything needed to send one request to a provider, resolved from the cluster at the time of the request.</summary>
internal sealed record UpstreamTarget(
    string ProviderKey,
    string ProviderType,
    Uri BaseUrl,
    string Model,
    string? ApiKey,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    ProviderLimits? Limits,
    ModelPricing? Pricing);
