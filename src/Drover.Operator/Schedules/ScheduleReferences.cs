using Drover.Api.V1Alpha1;
using Drover.Operator.Cluster;

namespace Drover.Operator.Schedules;

/// <summary>
/// What a Schedule reads from the cluster, stated once: its Agent (and so whatever the Agent reads). The cache index
/// that brings a change of the Agent back to the Schedule and the resolver both come from here. A prompt in a
/// ConfigMap is not read by the operator: the kubelet reads it when a run starts.
/// </summary>
internal static class ScheduleReferences
{
    /// <summary>Schedule index: <c>namespace/name</c> of the Agent it runs.</summary>
    public const string ByAgent = "schedule-agents";

    /// <summary>Registers the schedule index on the schedules' cache.</summary>
    public static void Register(OperatorInformers informers)
    {
        ArgumentNullException.ThrowIfNull(informers);
        informers.Schedules.AddIndex(ByAgent, s => [OperatorInformers.Key(s.Metadata.NamespaceProperty, AgentName(s))]);
    }

    /// <summary>The Agent the Schedule runs, in the Schedule's namespace.</summary>
    public static string AgentName(Schedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return schedule.Spec.AgentRef?.Name ?? "";
    }

    /// <summary>The ConfigMap key holding the prompt (read by the kubelet at each run), in the Schedule's namespace; null when the prompt is inline.</summary>
    public static ConfigMapKeyReference? Prompt(Schedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return schedule.Spec.PromptFrom?.ConfigMapKeyRef is { Name.Length: > 0 } reference ? reference : null;
    }
}
