using System.Text.Json.Nodes;
using Drover.Api.Schema;
using k8s.Models;

namespace Drover.Api.V1Alpha1;

/// <summary>The desired state of an Agent.</summary>
public sealed class AgentSpec
{
    /// <summary>Container image of the agent runtime.</summary>
    [Required]
    [MinLength(1)]
    public string Image { get; set; } = "";

    /// <summary>When the kubelet pulls the image. Defaults like a Pod's (Always for :latest, IfNotPresent otherwise).</summary>
    [Enum(ImagePullPolicies.Always, ImagePullPolicies.IfNotPresent, ImagePullPolicies.Never)]
    public string? ImagePullPolicy { get; set; }

    /// <summary>Secrets used to pull the image.</summary>
    public List<V1LocalObjectReference>? ImagePullSecrets { get; set; }

    /// <summary>Entrypoint of the always-on process. Defaults to the image's entrypoint.</summary>
    public List<string>? Command { get; set; }

    /// <summary>Arguments of the always-on process.</summary>
    public List<string>? Args { get; set; }

    /// <summary>
    /// How this runtime answers one prompt and exits; Schedules run this. Set command, args, or both, as in a container:
    /// args alone keep the image's entrypoint (for example args: ["agent", "-m", "$(DROVER_PROMPT)"]). $(DROVER_PROMPT)
    /// expands to the prompt.
    /// </summary>
    [MinProperties(1)]
    public RunOnceCommand? RunOnce { get; set; }

    /// <summary>The model the agent talks to, and the models it falls back to.</summary>
    [Required]
    public AgentModel Model { get; set; } = new();

    /// <summary>The system prompt. Mutually exclusive with instructionsFrom.</summary>
    public string? Instructions { get; set; }

    /// <summary>The system prompt read from a ConfigMap. Mutually exclusive with instructions.</summary>
    public ConfigMapTextSource? InstructionsFrom { get; set; }

    /// <summary>Free-form configuration handed to the runtime unchanged in /etc/drover/agent.json.</summary>
    [PreserveUnknownFields]
    public JsonObject? Config { get; set; }

    /// <summary>Extra environment variables. Names starting with DROVER_ are reserved.</summary>
    [ListMap("name")]
    public List<V1EnvVar>? Env { get; set; }

    /// <summary>Extra environment variables taken from whole ConfigMaps or Secrets.</summary>
    public List<V1EnvFromSource>? EnvFrom { get; set; }

    /// <summary>Compute resources. Defaults are small: an idle agent needs tens of MB.</summary>
    public V1ResourceRequirements? Resources { get; set; }

    /// <summary>Number of agent processes. 0 parks the agent without deleting it.</summary>
    [Minimum(0)]
    [Default(Defaults.AgentReplicas)]
    public int? Replicas { get; set; }

    /// <summary>
    /// How a new configuration replaces running agent processes. Replace (default): every old process has exited before
    /// a new one starts, so a chat bot that long-polls (Telegram answers a second poller with 409 Conflict) or holds one
    /// socket (Slack socket mode) never runs twice; each rollout has a short gap. Surge: a new process starts and is
    /// ready before an old one stops, for agents that tolerate two copies (HTTP behind spec.port); not with storage.
    /// </summary>
    [Enum(RolloutPolicies.Replace, RolloutPolicies.Surge)]
    [Default(RolloutPolicies.Replace)]
    public string? Rollout { get; set; }

    /// <summary>Port the agent listens on. When set, the operator creates a Service and HTTP probes.</summary>
    [Minimum(1)]
    [Maximum(65535)]
    public int? Port { get; set; }

    /// <summary>HTTP health checking, used when port is set.</summary>
    public HealthCheck? Health { get; set; }

    /// <summary>Where the agent may run.</summary>
    public Placement? Placement { get; set; }

    /// <summary>What the agent may reach on the network.</summary>
    public NetworkPolicySpec? Network { get; set; }

    /// <summary>An optional persistent workspace volume mounted at /workspace.</summary>
    public WorkspaceStorage? Storage { get; set; }

    /// <summary>
    /// The user and groups the agent's processes run as (the always-on pods and every Schedule run). Each defaults
    /// to 65532, so images whose user is root, unset or a name start under a numeric non-root user.
    /// </summary>
    public AgentSecurityContext? SecurityContext { get; set; }

    /// <summary>
    /// What the agent may spend per day, in tokens and in US dollars. The model gateway enforces it before a request
    /// is admitted (Gateway access); status.usage shows what the current day has used. Schedules of the agent count
    /// toward it too.
    /// </summary>
    public Budget? Budget { get; set; }
}

/// <summary>The process that answers one prompt and exits: command, args, or both (at least one).</summary>
public sealed class RunOnceCommand
{
    /// <summary>Entrypoint, for example ["agent", "-m", "$(DROVER_PROMPT)"]. Absent: the image's entrypoint runs with args.</summary>
    public List<string>? Command { get; set; }

    /// <summary>Arguments: appended to command, or handed to the image's entrypoint when command is absent.</summary>
    public List<string>? Args { get; set; }

    /// <summary>Whether a process is named at all: a command or arguments that are not empty.</summary>
    /// <remarks>A method, not a property, so it is not serialised or exported into the CRD schema.</remarks>
    public bool NamesAProcess() => Command is { Count: > 0 } || Args is { Count: > 0 };
}

/// <summary>The model chain of an agent: a primary model and ordered fallbacks.</summary>
public sealed class AgentModel
{
    /// <summary>The ModelProvider serving the primary model.</summary>
    [Required]
    public ProviderReference ProviderRef { get; set; } = new();

    /// <summary>The model name. Defaults to the provider's defaultModel.</summary>
    public string? Name { get; set; }

    /// <summary>Models tried in order when the primary fails.</summary>
    public List<ModelFallback>? Fallbacks { get; set; }

    /// <summary>Sampling parameters handed to the runtime.</summary>
    public ModelParameters? Parameters { get; set; }

    /// <summary>
    /// How the agent reaches its models. Gateway: through Drover's model gateway with a key of its own, so provider
    /// keys never enter the agent's namespace and budgets, limits and fallbacks are enforced; Direct: with the provider's
    /// key in its own Secret. When unset, the operator picks Gateway if it knows a gateway, else Direct.
    /// </summary>
    [Enum(ModelAccessModes.Gateway, ModelAccessModes.Direct)]
    public string? Access { get; set; }
}

/// <summary>A reference to a ModelProvider.</summary>
public sealed class ProviderReference
{
    /// <summary>Name of the ModelProvider.</summary>
    [Required]
    [MinLength(1)]
    public string Name { get; set; } = "";

    /// <summary>Namespace of the ModelProvider. Defaults to the agent's namespace; the provider must allow the agent's namespace.</summary>
    public string? Namespace { get; set; }
}

/// <summary>One fallback model.</summary>
public sealed class ModelFallback
{
    /// <summary>The ModelProvider serving this model.</summary>
    [Required]
    public ProviderReference ProviderRef { get; set; } = new();

    /// <summary>The model name. Defaults to the provider's defaultModel.</summary>
    public string? Name { get; set; }
}

/// <summary>Sampling parameters. Runtimes map them to their provider's names.</summary>
public sealed class ModelParameters
{
    /// <summary>Sampling temperature, 0 to 2.</summary>
    public double? Temperature { get; set; }

    /// <summary>Nucleus sampling probability mass, 0 to 1.</summary>
    public double? TopP { get; set; }

    /// <summary>Upper bound on tokens generated per response.</summary>
    [Minimum(1)]
    public int? MaxTokens { get; set; }
}

/// <summary>HTTP health checking of an agent with a port.</summary>
public sealed class HealthCheck
{
    /// <summary>Path probed for liveness and readiness.</summary>
    [Pattern("^/")]
    [Default(Defaults.HealthPath)]
    public string? Path { get; set; }
}

/// <summary>Scheduling constraints of an agent.</summary>
public sealed class Placement
{
    /// <summary>CPU architectures the agent's image supports; becomes a kubernetes.io/arch node affinity.</summary>
    [ListSet]
    [Enum(V1Alpha1.Architectures.Amd64, V1Alpha1.Architectures.Arm64)]
    public List<string>? Architectures { get; set; }

    /// <summary>Node labels the agent's nodes must carry.</summary>
    public Dictionary<string, string>? NodeSelector { get; set; }

    /// <summary>Taints the agent tolerates.</summary>
    public List<V1Toleration>? Tolerations { get; set; }

    /// <summary>Further affinity rules, merged with the architecture affinity.</summary>
    public V1Affinity? Affinity { get; set; }
}

/// <summary>Network access of an agent.</summary>
public sealed class NetworkPolicySpec
{
    /// <summary>Restricted (DNS, the agent's model providers and allow only) or Unrestricted (no NetworkPolicy).</summary>
    [Enum(EgressModes.Restricted, EgressModes.Unrestricted)]
    [Default(EgressModes.Restricted)]
    public string? Egress { get; set; }

    /// <summary>Extra destinations allowed when egress is Restricted.</summary>
    public List<EgressRule>? Allow { get; set; }
}

/// <summary>One extra destination an agent may reach.</summary>
public sealed class EgressRule
{
    /// <summary>Destination network in CIDR notation, for example 10.0.0.0/8 or 2001:db8::/32.</summary>
    [Required]
    [MinLength(1)]
    public string Cidr { get; set; } = "";

    /// <summary>TCP ports allowed, 1 to 65535. Empty means every port.</summary>
    [Minimum(1)]
    [Maximum(65535)]
    public List<int>? Ports { get; set; }
}

/// <summary>A persistent workspace for an agent. Agents with storage roll with the Recreate strategy.</summary>
public sealed class WorkspaceStorage
{
    /// <summary>Requested size, for example 1Gi.</summary>
    [Required]
    public ResourceQuantity? Size { get; set; }

    /// <summary>StorageClass of the volume. Defaults to the cluster default.</summary>
    public string? StorageClassName { get; set; }

    /// <summary>
    /// What happens to the workspace claim when the Agent is deleted or stops asking for storage, as a StatefulSet's
    /// persistentVolumeClaimRetentionPolicy: Retain keeps it (an Agent of the same name adopts it again), Delete
    /// removes it with the Agent.
    /// </summary>
    [Enum(WorkspaceRetention.Retain, WorkspaceRetention.Delete)]
    [Default(WorkspaceRetention.Retain)]
    public string? WhenDeleted { get; set; }
}

/// <summary>The user and groups of an agent's pods. Root (user 0) is refused: the pods run with runAsNonRoot.</summary>
public sealed class AgentSecurityContext
{
    /// <summary>The user id the containers run as. Defaults to 65532.</summary>
    [Minimum(1)]
    [Maximum(AgentSecurityContext.MaxId)]
    public long? RunAsUser { get; set; }

    /// <summary>The primary group id of the containers' processes. Defaults to 65532.</summary>
    [Minimum(0)]
    [Maximum(AgentSecurityContext.MaxId)]
    public long? RunAsGroup { get; set; }

    /// <summary>The group that owns the pod's volumes (the workspace and /tmp). Defaults to 65532.</summary>
    [Minimum(0)]
    [Maximum(AgentSecurityContext.MaxId)]
    public long? FsGroup { get; set; }

    /// <summary>The largest id Kubernetes accepts for a user or group.</summary>
    public const long MaxId = int.MaxValue;
}

/// <summary>
/// Daily spending limits, enforced by the model gateway. A day starts at midnight in timeZone. A request that would
/// start once the day's budget is spent is refused (HTTP 429 with Retry-After at the day's end); requests in flight
/// hold a reservation of their output cap until their usage is known, so concurrent requests overshoot by at most
/// one reservation.
/// </summary>
public sealed class Budget
{
    /// <summary>Tokens (input, including cached, plus output, including reasoning) that may be used per day.</summary>
    [Minimum(1)]
    [Maximum(Budget.MaxTokensPerDay)]
    public long? TokensPerDay { get; set; }

    /// <summary>US dollars that may be spent per day, priced from the ModelProviders' pricing. Models without pricing cost nothing.</summary>
    [Minimum(0)]
    [Maximum(Budget.MaxCostPerDay)]
    public decimal? CostPerDay { get; set; }

    /// <summary>IANA time zone whose midnight starts the day, for example Europe/Berlin. Defaults to UTC.</summary>
    public string? TimeZone { get; set; }

    /// <summary>The largest tokensPerDay the API accepts.</summary>
    public const long MaxTokensPerDay = 1_000_000_000_000;

    /// <summary>The largest costPerDay the API accepts, in US dollars.</summary>
    public const long MaxCostPerDay = 1_000_000_000;
}
