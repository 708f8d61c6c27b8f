using Drover.Api.Schema;

namespace Drover.Api.V1Alpha1;

/// <summary>
/// Model usage counted by the model gateway from the providers' own usage reports, for one budget day. Written at
/// most every 15 seconds, so it trails live traffic by that much.
/// </summary>
public sealed class Usage
{
    /// <summary>When the day these counts belong to started (midnight in the budget's time zone, UTC when there is no budget).</summary>
    public DateTime? WindowStart { get; set; }

    /// <summary>Input tokens, cached ones included.</summary>
    [Minimum(0)]
    [Maximum(Usage.MaxCount)]
    public long? InputTokens { get; set; }

    /// <summary>Output tokens, reasoning ones included.</summary>
    [Minimum(0)]
    [Maximum(Usage.MaxCount)]
    public long? OutputTokens { get; set; }

    /// <summary>Input tokens the provider served from its prompt cache (part of inputTokens).</summary>
    [Minimum(0)]
    [Maximum(Usage.MaxCount)]
    public long? CachedInputTokens { get; set; }

    /// <summary>Output tokens spent on reasoning (part of outputTokens).</summary>
    [Minimum(0)]
    [Maximum(Usage.MaxCount)]
    public long? ReasoningTokens { get; set; }

    /// <summary>Requests admitted and answered by a provider.</summary>
    [Minimum(0)]
    [Maximum(Usage.MaxCount)]
    public long? Requests { get; set; }

    /// <summary>Requests admitted that no provider answered successfully.</summary>
    [Minimum(0)]
    [Maximum(Usage.MaxCount)]
    public long? FailedRequests { get; set; }

    /// <summary>US dollars spent, priced from the ModelProviders' pricing.</summary>
    [Minimum(0)]
    public decimal? CostUSD { get; set; }

    /// <summary>The same counts per provider and model.</summary>
    [ListMap("provider", "model")]
    public List<ModelUsage>? ByModel { get; set; }

    /// <summary>The largest count the API accepts.</summary>
    public const long MaxCount = 1_000_000_000_000_000;
}

/// <summary>Usage of one model of one provider.</summary>
public sealed class ModelUsage
{
    /// <summary>namespace/name of the ModelProvider.</summary>
    [Required]
    public string Provider { get; set; } = "";

    /// <summary>The model the gateway asked for.</summary>
    [Required]
    public string Model { get; set; } = "";

    /// <summary>Input tokens, cached ones included.</summary>
    [Minimum(0)]
    [Maximum(Usage.MaxCount)]
    public long? InputTokens { get; set; }

    /// <summary>Output tokens, reasoning ones included.</summary>
    [Minimum(0)]
    [Maximum(Usage.MaxCount)]
    public long? OutputTokens { get; set; }

    /// <summary>Input tokens served from the provider's prompt cache.</summary>
    [Minimum(0)]
    [Maximum(Usage.MaxCount)]
    public long? CachedInputTokens { get; set; }

    /// <summary>Output tokens spent on reasoning.</summary>
    [Minimum(0)]
    [Maximum(Usage.MaxCount)]
    public long? ReasoningTokens { get; set; }

    /// <summary>Requests this model answered.</summary>
    [Minimum(0)]
    [Maximum(Usage.MaxCount)]
    public long? Requests { get; set; }

    /// <summary>US dollars spent on this model.</summary>
    [Minimum(0)]
    public decimal? CostUSD { get; set; }
}
