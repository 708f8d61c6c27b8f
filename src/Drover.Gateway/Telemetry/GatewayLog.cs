using Microsoft.Extensions.Logging;

namespace Drover.Gateway.Telemetry;

/// <summary>The gateway's log lines. No line ever carries a prompt, a completion or a key.</summary>
internal static partial class GatewayLog
{
    /// <summary>The one line per request.</summary>
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "{Method} {Path} {Status} agent={Namespace}/{Agent} schedule={Schedule} provider={Provider} model={Model} input={InputTokens} output={OutputTokens} cached={CachedInputTokens} reasoning={ReasoningTokens} cost={CostUsd} latencyMs={LatencyMs} fallbacks={Fallbacks} usage={UsageSource} request={RequestId}")]
    public static partial void Request(
        ILogger logger, string method, string path, int status, string? @namespace, string? agent, string? schedule, string? provider, string? model,
        long inputTokens, long outputTokens, long cachedInputTokens, long reasoningTokens, decimal costUsd, long latencyMs, int fallbacks, string usageSource, string requestId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Link {Provider} model {Model} passed over for agent {Namespace}/{Agent}: {Reason}")]
    public static partial void FellBack(ILogger logger, string provider, string model, string @namespace, string agent, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "drover-gateway {Version} starting: listen {Listen}, namespaces {Namespaces}, metrics {Metrics}, health {Health}")]
    public static partial void Starting(ILogger logger, string version, string listen, string namespaces, string metrics, string health);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Could not write status.usage of {Kind} {Namespace}/{Name}: {Error}")]
    public static partial void StatusWriteFailed(ILogger logger, string kind, string @namespace, string name, string error);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Restored usage of {Bucket} for the day from {WindowStart:o}: {Tokens} tokens, {Requests} requests")]
    public static partial void UsageRestored(ILogger logger, string bucket, DateTimeOffset windowStart, long tokens, long requests);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Budget of {Bucket} {Percent}% spent: {Tokens} tokens, {Cost} USD")]
    public static partial void BudgetCrossed(ILogger logger, string bucket, int percent, long tokens, decimal cost);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Redis unreachable, admitting from this replica's memory: budgets get their room left ÷ {Replicas} replicas, provider limits ÷ {Replicas}; charges are queued for Redis: {Error}")]
    public static partial void RedisUnreachable(ILogger logger, int replicas, string error);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Redis reachable again; reconciled: {Windows} windows' last seen totals written back where Redis held less, {Charges} queued charges applied once each")]
    public static partial void RedisReconciled(ILogger logger, int windows, int charges);

    [LoggerMessage(EventId = 9, Level = LogLevel.Debug, Message = "Redis still unreachable: {Error}")]
    public static partial void RedisStillUnreachable(ILogger logger, string error);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Draining: {Requests} requests still in flight at the deadline were cut")]
    public static partial void DrainCut(ILogger logger, int requests);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Stopping: not ready; serving for {Delay} more, then draining in-flight requests for up to {Timeout}")]
    public static partial void Draining(ILogger logger, TimeSpan delay, TimeSpan timeout);
}
