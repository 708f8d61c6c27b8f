using Drover.Operator.ModelProviders;
using Drover.Operator.Resolution;

namespace Drover.Operator.Gateway;

/// <summary>
/// The model gateway as agents reach it (<c>drover run --gateway-url</c>): the base URL their clients are pointed at,
/// and where that traffic goes, for the agents' NetworkPolicy (usually the gateway's Service in the operator's namespace).
/// </summary>
internal sealed record GatewayEndpoint(Uri Url, ProviderDestination Destination)
{
    /// <summary>The base URL OpenAI-style clients take (<c>OPENAI_BASE_URL</c>): the gateway's <c>/v1</c>.</summary>
    public string OpenAIBaseUrl => Base + "/v1";

    /// <summary>The base URL Anthropic clients take (<c>ANTHROPIC_BASE_URL</c>): they add <c>/v1/messages</c> themselves.</summary>
    public string AnthropicBaseUrl => Base;

    private string Base => Url.GetLeftPart(UriPartial.Path).TrimEnd('/');

    /// <summary>The Service in front of the gateway, when its URL names one (<c>name.namespace.svc</c>).</summary>
    public ServiceTarget? Service => Destination is InClusterDestination inCluster ? inCluster.Service : null;

    /// <summary>Reads a gateway URL as an operator flag gives it; null with a reason when it is not an http(s) URL.</summary>
    public static GatewayEndpoint? Parse(string? text, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(url.Query))
        {
            problem = $"\"{text}\" is not an http or https URL without a query (for example http://drover-gateway.drover-system.svc:8090)";
            return null;
        }

        return new GatewayEndpoint(url, ProviderReferences.DestinationOf(url));
    }

    /// <summary>This endpoint with its Service's pod selector and target port, as the cluster shows them now.</summary>
    public GatewayEndpoint Located(IClusterLookup cluster) => this with { Destination = ProviderReferences.Located(Destination, cluster) };
}
