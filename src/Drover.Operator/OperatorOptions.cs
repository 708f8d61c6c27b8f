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

    /// <summary>
    /// The model gateway agents reach their models through (<c>drover run --gateway-url</c>). When set, agents whose
    /// <c>spec.model.access</c> is unset use it; when null they reach providers directly.
    /// </summary>
    public Gateway.GatewayEndpoint? Gateway { get; init; }
    /// <summary>Where agents with Restricted egress may send DNS queries (<c>--dns-peers</c>).</summary>
    public IReadOnlyList<DnsPeer> DnsPeers { get; init; } = DnsPeer.Defaults;

    /// <summary>The options used when none are configured.</summary>
    public static OperatorOptions Default { get; } = new();
}
