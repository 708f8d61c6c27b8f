using Drover.Api.V1Alpha1;

namespace Drover.Gateway.Wire;

/// <summary>The provider APIs the gateway serves, each with its path, its error shape and the providers that speak it.</summary>
internal enum ApiSurface
{
    ChatCompletions,
    Embeddings,
    Responses,
    Messages,
}

internal static class ApiSurfaces
{
    /// <summary>The <c>gen_ai.operation.name</c> of the surface.</summary>
    public static string OperationName(this ApiSurface surface) => surface switch
    {
        ApiSurface.Embeddings => "embeddings",
        ApiSurface.Responses => "generate_content",
        _ => "chat",
    };

    public static string Name(this ApiSurface surface) => surface switch
    {
        ApiSurface.ChatCompletions => "chat_completions",
        ApiSurface.Embeddings => "embeddings",
        ApiSurface.Responses => "responses",
        _ => "messages",
    };

    /// <summary>Callers of the Messages API expect Anthropic's error shape; every other surface OpenAI's.</summary>
    public static bool AnthropicErrors(this ApiSurface surface) => surface == ApiSurface.Messages;

    /// <summary>
    /// Whether a provider of <paramref name="providerType"/> serves the surface. Chat completions reach every type through
    /// its OpenAI-compatible endpoint (Anthropic's included), so one chain may mix them; Messages only Anthropic;
    /// Responses only OpenAI and OpenAI-compatible servers; embeddings every type but Anthropic, which has none.
    /// </summary>
    public static bool ServedBy(this ApiSurface surface, string providerType) => surface switch
    {
        ApiSurface.ChatCompletions => true,
        ApiSurface.Embeddings => providerType != ProviderTypes.Anthropic,
        ApiSurface.Responses => providerType is ProviderTypes.OpenAI or ProviderTypes.OpenAICompatible,
        _ => providerType == ProviderTypes.Anthropic,
    };

    /// <summary>
    /// The upstream URL of the surface at a provider. OpenAI-style endpoints include the version (<c>…/v1</c>, Gemini's
    /// <c>…/v1beta/openai</c>); an Anthropic endpoint is the API root, as ANTHROPIC_BASE_URL is.
    /// </summary>
    public static Uri UpstreamUrl(this ApiSurface surface, string providerType, Uri baseUrl)
    {
        var anthropic = providerType == ProviderTypes.Anthropic;
        var path = surface switch
        {
            ApiSurface.ChatCompletions => anthropic ? "v1/chat/completions" : "chat/completions",
            ApiSurface.Embeddings => "embeddings",
            ApiSurface.Responses => "responses",
            _ => "v1/messages",
        };
        return new Uri(baseUrl, path);
    }
}
