using Drover.Api.Schema;
using k8s;
using k8s.Models;

namespace Drover.Api.V1Alpha1;

/// <summary>
/// Schedule runs a prompt through an agent on a cron. It becomes a batch/v1 CronJob that runs the agent's image with
/// its runOnce command, the same configuration and credentials, and DROVER_PROMPT.
/// </summary>
public sealed class Schedule : IKubernetesObject<V1ObjectMeta>, ISpec<ScheduleSpec>, IStatus<ScheduleStatus?>
{
    /// <summary>The kind name.</summary>
    public const string KubeKind = "Schedule";

    /// <summary>The resource (plural) name.</summary>
    public const string KubePluralName = "schedules";

    /// <summary>APIVersion defines the versioned schema of this representation of an object.</summary>
    public string ApiVersion { get; set; } = DroverApi.ApiVersion;

    /// <summary>Kind is a string value representing the REST resource this object represents.</summary>
    public string Kind { get; set; } = KubeKind;

    /// <summary>Standard object metadata.</summary>
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>The desired schedule.</summary>
    [Required]
    public ScheduleSpec Spec { get; set; } = new();

    /// <summary>What the operator last observed.</summary>
    public ScheduleStatus? Status { get; set; }
}

/// <summary>A list of Schedules.</summary>
public sealed class ScheduleList : IKubernetesObject<V1ListMeta>, IItems<Schedule>
{
    /// <summary>The kind name of the list.</summary>
    public const string KubeKindName = "ScheduleList";

    /// <summary>APIVersion of the list.</summary>
    public string ApiVersion { get; set; } = DroverApi.ApiVersion;

    /// <summary>Kind of the list.</summary>
    public string Kind { get; set; } = KubeKindName;

    /// <summary>List metadata (resourceVersion, continue).</summary>
    public V1ListMeta Metadata { get; set; } = new();

    /// <summary>The schedules.</summary>
    public IList<Schedule> Items { get; set; } = [];
}

/// <summary>The desired state of a Schedule.</summary>
public sealed class ScheduleSpec
{
    /// <summary>The Agent (same namespace) that answers the prompt.</summary>
    [Required]
    public AgentReference AgentRef { get; set; } = new();

    /// <summary>Five-field cron expression, or one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly.</summary>
    [Required]
    [MinLength(1)]
    public string Schedule { get; set; } = "";

    /// <summary>IANA time zone the schedule is read in, for example Europe/Berlin. Defaults to UTC.</summary>
    public string? TimeZone { get; set; }

    /// <summary>The prompt. Mutually exclusive with promptFrom.</summary>
    public string? Prompt { get; set; }

    /// <summary>The prompt read from a ConfigMap. Mutually exclusive with prompt.</summary>
    public ConfigMapTextSource? PromptFrom { get; set; }

    /// <summary>Stops future runs; running ones finish.</summary>
    [Default(false)]
    public bool? Suspend { get; set; }

    /// <summary>Forbid: skip a run while the previous one runs; Allow: run both; Replace: stop the previous one.</summary>
    [Enum(ConcurrencyPolicies.Forbid, ConcurrencyPolicies.Allow, ConcurrencyPolicies.Replace)]
    [Default(ConcurrencyPolicies.Forbid)]
    public string? ConcurrencyPolicy { get; set; }

    /// <summary>Seconds after the scheduled time within which a missed run may still start.</summary>
    [Minimum(0)]
    public long? StartingDeadlineSeconds { get; set; }

    /// <summary>Seconds a run may take before it is stopped (the Job's activeDeadlineSeconds). Defaults to 3600.</summary>
    [Minimum(1)]
    [Default(Defaults.ScheduleTimeoutSeconds)]
    public long? TimeoutSeconds { get; set; }

    /// <summary>How often a failed run is retried.</summary>
    [Minimum(0)]
    [Maximum(10)]
    [Default(Defaults.ScheduleRetries)]
    public int? Retries { get; set; }

    /// <summary>How many finished runs are kept.</summary>
    public RunHistory? History { get; set; }

    /// <summary>
    /// What this schedule's runs may spend per day, enforced by the model gateway. Their usage counts toward the
    /// agent's budget as well, so a run must fit both.
    /// </summary>
    public Budget? Budget { get; set; }
}

/// <summary>A reference to an Agent in the same namespace.</summary>
public sealed class AgentReference
{
    /// <summary>Name of the Agent.</summary>
    [Required]
    [MinLength(1)]
    public string Name { get; set; } = "";
}

/// <summary>How many finished runs are kept.</summary>
public sealed class RunHistory
{
    /// <summary>Successful runs kept.</summary>
    [Minimum(0)]
    [Default(Defaults.SuccessfulRunsKept)]
    public int? Successful { get; set; }

    /// <summary>Failed runs kept.</summary>
    [Minimum(0)]
    [Default(Defaults.FailedRunsKept)]
    public int? Failed { get; set; }
}

/// <summary>The observed state of a Schedule.</summary>
public sealed class ScheduleStatus
{
    /// <summary>The generation the operator last acted on.</summary>
    public long? ObservedGeneration { get; set; }

    /// <summary>Latest observations of the schedule: Ready (the operator's), WithinBudget (the model gateway's).</summary>
    [ListMap("type")]
    public List<V1Condition>? Conditions { get; set; }

    /// <summary>
    /// Whether new runs are held: spec.suspend is true, or the Schedule cannot run (its Agent is missing, has no runOnce or
    /// cannot resolve) and its CronJob stays suspended until it can; the Ready condition says why.
    /// </summary>
    public bool? Suspended { get; set; }

    /// <summary>When a run was last started.</summary>
    public DateTime? LastScheduleTime { get; set; }

    /// <summary>When a run last succeeded.</summary>
    public DateTime? LastSuccessfulTime { get; set; }

    /// <summary>When the next run is due, computed in the schedule's time zone.</summary>
    public DateTime? NextScheduleTime { get; set; }

    /// <summary>Runs (Jobs) in progress.</summary>
    public List<V1ObjectReference>? Active { get; set; }

    /// <summary>What this schedule's runs used through the model gateway in the current budget day, written by the gateway.</summary>
    public Usage? Usage { get; set; }
}
