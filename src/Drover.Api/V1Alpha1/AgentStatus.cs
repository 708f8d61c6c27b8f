using Drover.Api.Schema;
using k8s.Models;

namespace Drover.Api.V1Alpha1;

/// <summary>The observed state of an Agent.</summary>
public sealed class AgentStatus
{
    /// <summary>The generation the operator last acted on.</summary>
    public long? ObservedGeneration { get; set; }

    /// <summary>Latest observations of the agent: Ready and ModelResolved (the operator's), WithinBudget (the model gateway's).</summary>
    [ListMap("type")]
    public List<V1Condition>? Conditions { get; set; }

    /// <summary>Agent processes that exist.</summary>
    public int? Replicas { get; set; }

    /// <summary>Agent processes that are ready.</summary>
    public int? ReadyReplicas { get; set; }

    /// <summary>Label selector of the agent's pods, for the scale subresource.</summary>
    public string? Selector { get; set; }

    /// <summary>Hash of the resolved configuration and credentials the pods run with.</summary>
    public string? ConfigHash { get; set; }

    /// <summary>The resolved model chain.</summary>
    public ResolvedModelChain? Model { get; set; }

    /// <summary>What the agent (with its schedules) used through the model gateway in the current budget day, written by the gateway.</summary>
    public Usage? Usage { get; set; }
}

/// <summary>The model chain after provider references were resolved.</summary>
public sealed class ResolvedModelChain
{
    /// <summary>The primary model.</summary>
    public ResolvedModel? Primary { get; set; }

    /// <summary>The fallbacks, in order.</summary>
    public List<ResolvedModel>? Fallbacks { get; set; }
}

/// <summary>One model with its provider resolved.</summary>
public sealed class ResolvedModel
{
    /// <summary>Namespace/name of the ModelProvider.</summary>
    public string? Provider { get; set; }

    /// <summary>Type of the ModelProvider.</summary>
    public string? ProviderType { get; set; }

    /// <summary>The model name.</summary>
    public string? Model { get; set; }

    /// <summary>The base URL the agent calls.</summary>
    public string? Endpoint { get; set; }
}
