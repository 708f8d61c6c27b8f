namespace Drover.Operator;

/// <summary>Operator-wide settings that change what the builders produce.</summary>
internal sealed record OperatorOptions
{
    /// <summary>
    /// OTLP endpoint agents export telemetry to (for example http://otel-collector.observability.svc:4317).
    /// When set, agent containers get the standard OTEL_* variables; when null they get none.
    /// </summary>
    public string? AgentOtlpEndpoint { get; init; }

    /// <summary>The options used when none are configured.</summary>
    public static OperatorOptions Default { get; } = new();
}
