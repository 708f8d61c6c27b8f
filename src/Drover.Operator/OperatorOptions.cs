using Drover.Operator.Agents;

namespace Drover.Operator;

/// <summary>Operator-wide settings that change what the builders produce.</summary>
internal sealed record OperatorOptions
{
    /// <summary>
    /// OTLP endpoint agents export telemetry to (for example http://otel-collector.observability.svc:4317).
    /// When set, agent containers get the standard OTEL_* variables; when null they get none.
    /// </summary>
    public string? AgentOtlpEndpoint { get; init; }

    /// <summary>Where agents with Restricted egress may send DNS queries (<c>--dns-peers</c>).</summary>
    public IReadOnlyList<DnsPeer> DnsPeers { get; init; } = DnsPeer.Defaults;

    /// <summary>The options used when none are configured.</summary>
    public static OperatorOptions Default { get; } = new();
}
