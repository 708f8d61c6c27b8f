using System.Text.Json;
using k8s.Models;

namespace Drover.Api.V1Alpha1;

/// <summary>
/// The defaults of every kind. The CRD schemas carry the scalar ones too, so the API server fills them in;
/// the operator still applies them because objects created before a default existed, or under a parent the
/// server did not default, arrive without them.
/// </summary>
public static class Defaults
{
    /// <summary>Agent processes when replicas is absent.</summary>
    public const int AgentReplicas = 1;

    /// <summary>Health probe path when health.path is absent.</summary>
    public const string HealthPath = "/healthz";

    /// <summary>Retries of a failed scheduled run: none, since a retried prompt costs tokens again.</summary>
    public const int ScheduleRetries = 0;

    /// <summary>
    /// Seconds a scheduled run may take before it is stopped: an hour, so a hung run cannot block the runs after it
    /// (concurrencyPolicy Forbid) for longer than that.
    /// </summary>
    public const long ScheduleTimeoutSeconds = 3600;

    /// <summary>Successful scheduled runs kept.</summary>
    public const int SuccessfulRunsKept = 3;

    /// <summary>Failed scheduled runs kept.</summary>
    public const int FailedRunsKept = 1;

    /// <summary>
    /// Time zone of a schedule without one. Written out explicitly because a CronJob without a time zone
    /// follows the controller manager's local zone, which would disagree with the computed nextScheduleTime.
    /// </summary>
    public const string TimeZone = "UTC";

    /// <summary>
    /// User and group ids of an agent's processes and volumes when spec.securityContext does not set them: the
    /// "nonroot" user of distroless and Chainguard images, so images built for it find their files.
    /// </summary>
    public const long AgentUser = 65532;

    /// <summary>What happens to a workspace claim when its agent goes, when storage.whenDeleted is absent.</summary>
    public const string WhenDeleted = WorkspaceRetention.Retain;

    /// <summary>CPU requested by an agent without resources.</summary>
    public const string CpuRequest = "10m";

    /// <summary>Memory requested by an agent without resources.</summary>
    public const string MemoryRequest = "32Mi";

    /// <summary>Memory limit of an agent without resources.</summary>
    public const string MemoryLimit = "256Mi";

    /// <summary>The public endpoint of a hosted provider type, or null when the type has none (Ollama, OpenAICompatible).</summary>
    public static string? EndpointFor(string? providerType) => providerType switch
    {
        ProviderTypes.OpenAI => "https://api.openai.com/v1",
        ProviderTypes.Anthropic => "https://api.anthropic.com",
        ProviderTypes.Gemini => "https://generativelanguage.googleapis.com/v1beta/openai",
        ProviderTypes.Groq => "https://api.groq.com/openai/v1",
        ProviderTypes.DeepSeek => "https://api.deepseek.com/v1",
        ProviderTypes.OpenRouter => "https://openrouter.ai/api/v1",
        ProviderTypes.Mistral => "https://api.mistral.ai/v1",
        _ => null,
    };

    /// <summary>Whether agents need an API key to use a provider of this type.</summary>
    /// <remarks>OpenAICompatible servers are mostly in-cluster (vLLM, KubeAI) and often run without one.</remarks>
    public static bool RequiresApiKey(string? providerType) =>
        providerType is not (ProviderTypes.Ollama or ProviderTypes.OpenAICompatible);

    /// <summary>The resources of an agent that sets none.</summary>
    public static V1ResourceRequirements AgentResources() => new()
    {
        Requests = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new ResourceQuantity(CpuRequest),
            ["memory"] = new ResourceQuantity(MemoryRequest),
        },
        Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new ResourceQuantity(MemoryLimit) },
    };

    /// <summary>Returns a copy of <paramref name="agent"/> with every default filled in; the argument is not changed.</summary>
    public static Agent Apply(Agent agent)
    {
        var copy = DeepCopy(agent, DroverJsonContext.Default.Agent);
        var spec = copy.Spec;
        spec.Replicas ??= AgentReplicas;
        spec.Rollout ??= RolloutPolicies.Replace;
        spec.Resources ??= AgentResources();
        if (spec.Port is not null || spec.Health is not null)
        {
            spec.Health ??= new HealthCheck();
            spec.Health.Path ??= HealthPath;
        }

        spec.Network ??= new NetworkPolicySpec();
        spec.Network.Egress ??= EgressModes.Restricted;
        if (spec.Storage is { } storage)
        {
            storage.WhenDeleted ??= WhenDeleted;
        }

        spec.SecurityContext ??= new AgentSecurityContext();
        spec.SecurityContext.RunAsUser ??= AgentUser;
        spec.SecurityContext.RunAsGroup ??= AgentUser;
        spec.SecurityContext.FsGroup ??= AgentUser;
        return copy;
    }

    /// <summary>Returns a copy of <paramref name="provider"/> with every default filled in; the argument is not changed.</summary>
    public static ModelProvider Apply(ModelProvider provider)
    {
        var copy = DeepCopy(provider, DroverJsonContext.Default.ModelProvider);
        var spec = copy.Spec;
        if (spec.ServiceRef is null)
        {
            spec.Endpoint ??= EndpointFor(spec.Type);
        }
        else
        {
            spec.ServiceRef.Namespace ??= copy.Metadata.NamespaceProperty;
        }

        spec.AllowedNamespaces ??= new AllowedNamespaces();
        spec.AllowedNamespaces.From ??= NamespacesFrom.Same;
        return copy;
    }

    /// <summary>Returns a copy of <paramref name="schedule"/> with every default filled in; the argument is not changed.</summary>
    public static Schedule Apply(Schedule schedule)
    {
        var copy = DeepCopy(schedule, DroverJsonContext.Default.Schedule);
        var spec = copy.Spec;
        spec.TimeZone ??= TimeZone;
        spec.Suspend ??= false;
        spec.ConcurrencyPolicy ??= ConcurrencyPolicies.Forbid;
        spec.Retries ??= ScheduleRetries;
        spec.TimeoutSeconds ??= ScheduleTimeoutSeconds;
        spec.History ??= new RunHistory();
        spec.History.Successful ??= SuccessfulRunsKept;
        spec.History.Failed ??= FailedRunsKept;
        return copy;
    }

    private static T DeepCopy<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) =>
        JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo), typeInfo)
        ?? throw new InvalidOperationException($"Copying a {typeof(T).Name} produced null.");
}
