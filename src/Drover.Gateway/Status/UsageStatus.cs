using System.Globalization;
using System.Text.Json.Nodes;
using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Apply;
using Drover.Gateway.Admission;
using k8s.Models;

namespace Drover.Gateway.Status;

/// <summary>Turns counted usage into status.usage and the WithinBudget condition, and status.usage back into counts.</summary>
internal static class UsageStatus
{
    public const string ReasonWithinBudget = "WithinBudget";
    public const string ReasonExhausted = "BudgetExhausted";

    /// <summary>The server-side apply body for <c>/status</c>: only the fields the gateway owns.</summary>
    public static JsonObject ApplyBody(string kind, string ns, string name, BudgetWindow window, WindowUsage usage, IReadOnlyList<V1Condition>? liveConditions, DateTimeOffset now)
    {
        var status = new JsonObject { ["usage"] = Usage(window, usage) };
        if (window.TokenLimit is not null || window.CostLimit is not null)
        {
            var exhausted = Exhausted(window, usage);
            var conditionStatus = exhausted ? Conditions.False : Conditions.True;
            var live = liveConditions?.FirstOrDefault(c => c.Type == ConditionTypes.WithinBudget);
            var since = live?.Status == conditionStatus && live.LastTransitionTime is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : now;
            status["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = ConditionTypes.WithinBudget,
                ["status"] = conditionStatus,
                ["reason"] = exhausted ? ReasonExhausted : ReasonWithinBudget,
                ["message"] = Describe(window, usage),
                ["lastTransitionTime"] = Timestamp(since),
            });
        }

        return new JsonObject
        {
            ["apiVersion"] = Api.DroverApi.ApiVersion,
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["status"] = status,
        };
    }

    public static bool Exhausted(BudgetWindow window, WindowUsage usage) =>
        (window.TokenLimit is { } tokens && usage.Tokens.Total >= tokens) || (window.CostLimit is { } cost && usage.Cost >= cost);

    /// <summary>What the day has spent against its limits, in words.</summary>
    public static string Describe(BudgetWindow window, WindowUsage usage)
    {
        var parts = new List<string>();
        if (window.TokenLimit is { } tokens)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{usage.Tokens.Total} of {tokens} tokens"));
        }

        if (window.CostLimit is { } cost)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"${usage.Cost:0.####} of ${cost:0.####}"));
        }

        return $"{string.Join(" and ", parts)} spent in the day that ends {Timestamp(window.End)}.";
    }

    /// <summary>The counts held in a status.usage, when it belongs to the window that starts at <paramref name="windowStart"/>.</summary>
    public static WindowUsage? Read(Usage? usage, DateTimeOffset windowStart)
    {
        if (usage?.WindowStart is not { } start || new DateTimeOffset(DateTime.SpecifyKind(start, DateTimeKind.Utc)) != windowStart)
        {
            return null;
        }

        var byModel = (usage.ByModel ?? []).Select(m => new ModelUsageCounts(
            m.Provider,
            m.Model,
            new TokenCounts(m.InputTokens ?? 0, m.OutputTokens ?? 0, m.CachedInputTokens ?? 0, m.ReasoningTokens ?? 0),
            m.Requests ?? 0,
            m.CostUSD ?? 0m)).ToList();
        return new WindowUsage(
            new TokenCounts(usage.InputTokens ?? 0, usage.OutputTokens ?? 0, usage.CachedInputTokens ?? 0, usage.ReasoningTokens ?? 0),
            usage.Requests ?? 0,
            usage.FailedRequests ?? 0,
            usage.CostUSD ?? 0m,
            byModel);
    }

    private static JsonObject Usage(BudgetWindow window, WindowUsage usage)
    {
        var byModel = new JsonArray();
        foreach (var model in usage.ByModel)
        {
            byModel.Add((JsonNode)new JsonObject
            {
                ["provider"] = model.Provider,
                ["model"] = model.Model,
                ["inputTokens"] = model.Tokens.Input,
                ["outputTokens"] = model.Tokens.Output,
                ["cachedInputTokens"] = model.Tokens.CachedInput,
                ["reasoningTokens"] = model.Tokens.Reasoning,
                ["requests"] = model.Requests,
                ["costUSD"] = Round(model.Cost),
            });
        }

        return new JsonObject
        {
            ["windowStart"] = Timestamp(window.Start),
            ["inputTokens"] = usage.Tokens.Input,
            ["outputTokens"] = usage.Tokens.Output,
            ["cachedInputTokens"] = usage.Tokens.CachedInput,
            ["reasoningTokens"] = usage.Tokens.Reasoning,
            ["requests"] = usage.Requests,
            ["failedRequests"] = usage.FailedRequests,
            ["costUSD"] = Round(usage.Cost),
            ["byModel"] = byModel,
        };
    }

    // Micro-dollars are finer than any price; more digits would only churn the status.
    private static decimal Round(decimal cost) => Math.Round(cost, 6, MidpointRounding.AwayFromZero);

    private static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
