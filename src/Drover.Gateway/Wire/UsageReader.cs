using System.Text.Json;
using Drover.Gateway.Admission;

namespace Drover.Gateway.Wire;

/// <summary>Reads the providers' usage objects into the gateway's counts (input includes cached, output includes reasoning).</summary>
internal static class UsageReader
{
    /// <summary>
    /// An OpenAI-style usage object (chat, embeddings, Responses, or Anthropic's): prompt/input tokens with cached detail
    /// (OpenAI <c>prompt_tokens_details.cached_tokens</c>, DeepSeek <c>prompt_cache_hit_tokens</c>, Responses
    /// <c>input_tokens_details.cached_tokens</c>), completion/output tokens with reasoning detail.
    /// </summary>
    public static TokenCounts? OpenAI(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var input = Long(usage, "prompt_tokens") ?? Long(usage, "input_tokens");
        var output = Long(usage, "completion_tokens") ?? Long(usage, "output_tokens");
        if (input is null && output is null)
        {
            return null;
        }

        var cached = Nested(usage, "prompt_tokens_details", "cached_tokens")
            ?? Nested(usage, "input_tokens_details", "cached_tokens")
            ?? Long(usage, "prompt_cache_hit_tokens")
            ?? 0;
        var reasoning = Nested(usage, "completion_tokens_details", "reasoning_tokens")
            ?? Nested(usage, "output_tokens_details", "reasoning_tokens")
            ?? 0;
        return new TokenCounts(input ?? 0, output ?? 0, cached, reasoning);
    }

    /// <summary>
    /// Anthropic's usage: <c>input_tokens</c> excludes the cache, so input is input + cache writes + cache reads, and
    /// cached is the cache reads. In a stream, <paramref name="previous"/> carries counts a later event does not repeat:
    /// Anthropic's stream counts are cumulative, so a field present overwrites, a field absent keeps.
    /// </summary>
    public static AnthropicUsage Anthropic(JsonElement usage, AnthropicUsage previous)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return previous;
        }

        return new AnthropicUsage(
            Long(usage, "input_tokens") ?? previous.Input,
            Long(usage, "cache_creation_input_tokens") ?? previous.CacheWrites,
            Long(usage, "cache_read_input_tokens") ?? previous.CacheReads,
            Long(usage, "output_tokens") ?? previous.Output,
            true);
    }

    private static long? Long(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= 0 ? number : null;

    private static long? Nested(JsonElement obj, string parent, string name) =>
        obj.TryGetProperty(parent, out var inner) && inner.ValueKind == JsonValueKind.Object ? Long(inner, name) : null;
}

/// <summary>Anthropic's usage fields as last reported.</summary>
internal readonly record struct AnthropicUsage(long Input, long CacheWrites, long CacheReads, long Output, bool Seen)
{
    public TokenCounts Counts => new(Input + CacheWrites + CacheReads, Output, CacheReads, 0);
}
