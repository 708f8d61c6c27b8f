using Drover.Api.Schema;
using k8s;
using k8s.Models;

namespace Drover.Api.V1Alpha1;

/// <summary>
/// Agent is one always-on AI agent process. The operator runs it as a hardened Deployment with its own
/// ServiceAccount, configuration Secret and, by default, a NetworkPolicy that only reaches its model providers.
/// </summary>
public sealed class Agent : IKubernetesObject<V1ObjectMeta>, ISpec<AgentSpec>, IStatus<AgentStatus?>
{
    /// <summary>The kind name.</summary>
    public const string KubeKind = "Agent";

    /// <summary>The resource (plural) name.</summary>
    public const string KubePluralName = "agents";

    /// <summary>APIVersion defines the versioned schema of this representation of an object.</summary>
    public string ApiVersion { get; set; } = DroverApi.ApiVersion;

    /// <summary>Kind is a string value representing the REST resource this object represents.</summary>
    public string Kind { get; set; } = KubeKind;

    /// <summary>Standard object metadata.</summary>
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>The desired agent.</summary>
    [Required]
    public AgentSpec Spec { get; set; } = new();

    /// <summary>What the operator last observed.</summary>
    public AgentStatus? Status { get; set; }
}

/// <summary>A list of Agents.</summary>
public sealed class AgentList : IKubernetesObject<V1ListMeta>, IItems<Agent>
{
    /// <summary>The kind name of the list.</summary>
    public const string KubeKindName = "AgentList";

    /// <summary>APIVersion of the list.</summary>
    public string ApiVersion { get; set; } = DroverApi.ApiVersion;

    /// <summary>Kind of the list.</summary>
    public string Kind { get; set; } = KubeKindName;

    /// <summary>List metadata (resourceVersion, continue).</summary>
    public V1ListMeta Metadata { get; set; } = new();

    /// <summary>The agents.</summary>
    public IList<Agent> Items { get; set; } = [];
}
