using Drover.Api.V1Alpha1;
using Drover.Operator.Gateway;
using Drover.Operator.Resolution;

namespace Drover.Operator.Agents;

/// <summary>
/// Everything the builders need about one agent, resolved: the agent with defaults applied, its model chain and
/// its instructions text. Builders turn a plan into objects without reading anything else.
/// </summary>
internal sealed class AgentPlan
{
    public AgentPlan(Agent agent, ModelChain chain, string? instructions, SecretDigest digest, GatewayEndpoint? gateway = null, GatewayKey? gatewayKey = null)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(digest);
        Agent = agent;
        Chain = chain;
        Instructions = instructions;
        if (gateway is not null)
        {
            Gateway = gateway;
            GatewayKey = gatewayKey ?? throw new ArgumentNullException(nameof(gatewayKey), "An agent in Gateway mode needs its key.");
        }

        Configuration = AgentConfiguration.For(this, digest);
    }

    /// <summary>The agent with every default filled in.</summary>
    public Agent Agent { get; }

    public string Name => Agent.Metadata.Name;

    public string Namespace => Agent.Metadata.NamespaceProperty ?? "";

    public AgentSpec Spec => Agent.Spec;

    public ModelChain Chain { get; }

    public string? Instructions { get; }

    /// <summary>What goes into the agent's Secret, and the hash that rolls the agent when it changes.</summary>
    public AgentConfiguration Configuration { get; }

    /// <summary>The gateway the agent reaches its models through; null in Direct mode.</summary>
    public GatewayEndpoint? Gateway { get; }

    /// <summary>The agent's own gateway key (its Schedules have theirs); null in Direct mode.</summary>
    public GatewayKey? GatewayKey { get; }

    /// <summary>Whether the agent reaches its models through the gateway (so no provider key is given to it).</summary>
    public bool UsesGateway => Gateway is not null;

    /// <summary>Name of the agent's Secret.</summary>
    public string SecretName => Name + "-config";

    /// <summary>Name of the agent's workspace claim.</summary>
    public string WorkspaceClaimName => Name + "-workspace";

    public bool HasStorage => Spec.Storage is not null;

    public bool IsEgressRestricted => Spec.Network?.Egress != EgressModes.Unrestricted;
}
