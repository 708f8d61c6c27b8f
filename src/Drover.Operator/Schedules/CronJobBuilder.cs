using Drover.Operator.Agents;
using Drover.Operator.Children;
using k8s.Models;

namespace Drover.Operator.Schedules;

/// <summary>
/// CronJob <c>s</c>: each run is the agent's pod (<see cref="AgentPod"/>) with its runOnce command, plus
/// DROVER_PROMPT and DROVER_SCHEDULE. This file sets the schedule, the history and the Job's limits. Kubernetes
/// keeps the clock, not the operator.
/// </summary>
internal static class CronJobBuilder
{
    public static V1CronJob Build(SchedulePlan plan, OperatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        var spec = plan.Spec;
        var agent = plan.Agent;
        return new V1CronJob
        {
            ApiVersion = "batch/v1",
            Kind = V1CronJob.KubeKind,
            Metadata = ChildMetadata.For(plan.Schedule, plan.Name, agent.Name, ChildLabels.ScheduleComponent),
            Spec = new V1CronJobSpec
            {
                Schedule = spec.Schedule,
                TimeZone = spec.TimeZone,
                // Always stated, so applying it un-suspends a CronJob the reconciler suspended while the Schedule could not run.
                Suspend = spec.Suspend ?? false,
                ConcurrencyPolicy = spec.ConcurrencyPolicy,
                StartingDeadlineSeconds = spec.StartingDeadlineSeconds,
                SuccessfulJobsHistoryLimit = spec.History?.Successful,
                FailedJobsHistoryLimit = spec.History?.Failed,
                JobTemplate = new V1JobTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = ChildLabels.For(agent.Name, plan.Name, ChildLabels.ScheduleComponent) },
                    Spec = new V1JobSpec
                    {
                        ActiveDeadlineSeconds = spec.TimeoutSeconds,
                        BackoffLimit = spec.Retries,
                        Template = AgentPod.Template(agent, options, AgentProcess.ScheduleRun(agent, plan.Name, [Prompt(plan), RuntimeEnvironment.Value("DROVER_SCHEDULE", plan.Name)])),
                    },
                },
            },
        };
    }

    // A prompt from a ConfigMap is read by the kubelet when the run starts, so editing it needs no CronJob change.
    private static V1EnvVar Prompt(SchedulePlan plan) => ScheduleReferences.Prompt(plan.Schedule) is { } reference
        ? new V1EnvVar
        {
            Name = "DROVER_PROMPT",
            ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = reference.Name, Key = reference.Key } },
        }
        : RuntimeEnvironment.Value("DROVER_PROMPT", plan.Spec.Prompt ?? "");
}
