using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Informers;
using Drover.Operator.Cluster;

namespace Drover.Operator.Schedules;

/// <summary>
/// What a Schedule reads from the cluster, stated once: its Agent and the ConfigMap holding its prompt. The cache
/// indexes that bring a change of one of these back to the Schedule and the resolver both come from here.
/// </summary>
internal static class ScheduleReferences
{
    /// <summary>Schedule index: <c>namespace/name</c> of the Agent it runs.</summary>
    public const string ByAgent = "schedule-agents";

    /// <summary>Schedule index: <c>namespace/name</c> of the ConfigMap holding the prompt.</summary>
    public const string ByConfigMap = "schedule-configmaps";

    /// <summary>Registers the schedule indexes on the schedules' cache.</summary>
    public static void Index(Informer<Schedule> schedules)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        schedules.AddIndex(ByAgent, s => [OperatorInformers.Key(s.Metadata.NamespaceProperty, AgentName(s))]);
        schedules.AddIndex(ByConfigMap, s => Prompt(s) is { } reference ? [OperatorInformers.Key(s.Metadata.NamespaceProperty, reference.Name)] : []);
    }

    /// <summary>The Agent the Schedule runs, in the Schedule's namespace.</summary>
    public static string AgentName(Schedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return schedule.Spec.AgentRef?.Name ?? "";
    }

    /// <summary>The ConfigMap key holding the prompt, in the Schedule's namespace; null when the prompt is inline.</summary>
    public static ConfigMapKeyReference? Prompt(Schedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return schedule.Spec.PromptFrom?.ConfigMapKeyRef is { Name.Length: > 0 } reference ? reference : null;
    }
}
