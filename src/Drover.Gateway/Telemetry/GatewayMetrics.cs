using Prometheus;

namespace Drover.Gateway.Telemetry;

/// <summary>The gateway's Prometheus series, all <c>drover_gateway_*</c>.</summary>
internal static class GatewayMetrics
{
    private static readonly double[] LatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    public static readonly Counter Requests = Metrics.CreateCounter(
        "drover_gateway_requests_total",
        "Requests answered, by caller, API surface, provider that answered (empty when none did) and HTTP status.",
        "namespace", "agent", "schedule", "surface", "provider", "code");

    public static readonly Counter Tokens = Metrics.CreateCounter(
        "drover_gateway_tokens_total",
        "Tokens used as the providers reported them, by type: input (cached included), output (reasoning included), cached_input, reasoning.",
        "namespace", "agent", "provider", "model", "type");

    public static readonly Counter Cost = Metrics.CreateCounter(
        "drover_gateway_cost_usd_total", "US dollars spent, priced from the providers' pricing.", "namespace", "agent", "provider", "model");

    public static readonly Histogram UpstreamDuration = Metrics.CreateHistogram(
        "drover_gateway_upstream_duration_seconds",
        "Time from sending a request to a provider until its response ended, by provider and status.",
        new HistogramConfiguration { LabelNames = ["provider", "code"], Buckets = LatencyBuckets });

    public static readonly Histogram TimeToFirstByte = Metrics.CreateHistogram(
        "drover_gateway_time_to_first_byte_seconds",
        "Time from receiving a request until the first response byte was sent to the caller.",
        new HistogramConfiguration { LabelNames = ["provider"], Buckets = LatencyBuckets });

    public static readonly Counter Fallbacks = Metrics.CreateCounter(
        "drover_gateway_fallbacks_total",
        "Links of a chain passed over for the next one, by provider and reason (status code, connection, timeout, limits, unusable).",
        "provider", "reason");

    public static readonly Counter BudgetRefusals = Metrics.CreateCounter(
        "drover_gateway_budget_refusals_total", "Requests refused because a budget was spent.", "namespace", "agent", "schedule");

    public static readonly Histogram LimitWait = Metrics.CreateHistogram(
        "drover_gateway_limit_wait_seconds",
        "Time spent waiting for room under a provider's limits, by outcome (granted, refused).",
        new HistogramConfiguration { LabelNames = ["provider", "outcome"], Buckets = [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30] });

    public static readonly Gauge InFlight = Metrics.CreateGauge(
        "drover_gateway_requests_in_flight", "Requests being served.");

    public static readonly Gauge Keys = Metrics.CreateGauge(
        "drover_gateway_keys", "Gateway keys in force.");

    public static readonly Counter StatusWrites = Metrics.CreateCounter(
        "drover_gateway_status_writes_total", "status.usage writes, by kind and result.", "kind", "result");

    public static readonly Gauge RedisUp = Metrics.CreateGauge(
        "drover_gateway_redis_up", "1 while admission state is shared through Redis, 0 while this replica admits from its own memory (Redis unreachable).");

    public static readonly Counter RedisFallbacks = Metrics.CreateCounter(
        "drover_gateway_redis_fallbacks_total", "Times Redis became unreachable and this replica fell back to its own memory.");

    public static readonly Gauge RedisPendingCharges = Metrics.CreateGauge(
        "drover_gateway_redis_pending_charges", "Charges counted while Redis was unreachable, not yet applied to it.");

    public static readonly Counter RedisReconciledCharges = Metrics.CreateCounter(
        "drover_gateway_redis_reconciled_charges_total", "Charges counted while Redis was unreachable and applied to it since.");

    public static readonly Counter DrainCutRequests = Metrics.CreateCounter(
        "drover_gateway_drain_cut_requests_total", "Requests (mostly streams) still in flight when a shutdown's drain deadline passed, and cut.");
}
