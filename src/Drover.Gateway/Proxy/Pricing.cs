using Drover.Api.V1Alpha1;
using Drover.Gateway.Admission;

namespace Drover.Gateway.Proxy;

/// <summary>What tokens cost under a provider's pricing for a model; nothing when the model is not priced.</summary>
internal static class Pricing
{
    public static decimal Cost(ModelPricing? pricing, TokenCounts tokens)
    {
        if (pricing is null)
        {
            return 0m;
        }

        var input = pricing.InputPerMillion ?? 0m;
        var cached = pricing.CachedInputPerMillion ?? input;
        var uncached = Math.Max(0, tokens.Input - tokens.CachedInput);
        var cachedTokens = Math.Min(tokens.Input, tokens.CachedInput);
        return ((uncached * input) + (cachedTokens * cached) + (tokens.Output * (pricing.OutputPerMillion ?? 0m))) / 1_000_000m;
    }
}
