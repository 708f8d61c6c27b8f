using Drover.Operator.Agents;
using Drover.Operator.Children;
using k8s.Models;

namespace Drover.Operator.Schedules;

/// <summary>
/// CronJob <c>s</c>: each run starts the agent's image with its runOnce command, the agent's configuration Secret,
/// environment and hardening, plus DROVER_PROMPT and DROVER_SCHEDULE. Kubernetes keeps the clock, not the operator.
/// </summary>
public static class CronJobBuilder
{
    public const string ContainerName = "agent";

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
                        Template = new V1PodTemplateSpec
                        {
                            Metadata = new V1ObjectMeta
                            {
                                Labels = ChildLabels.For(agent.Name, plan.Name, ChildLabels.ScheduleComponent),
                                Annotations = new SortedDictionary<string, string>(StringComparer.Ordinal)
                                {
                                    [ChildLabels.ConfigHashAnnotation] = agent.Configuration.Hash,
                                },
                            },
                            Spec = PodSpec(plan, options),
                        },
                    },
                },
            },
        };
    }

    private static V1PodSpec PodSpec(SchedulePlan plan, OperatorOptions options)
    {
        var agent = plan.Agent;
        var agentSpec = agent.Spec;
        return new V1PodSpec
        {
            RestartPolicy = "Never",
            ServiceAccountName = agent.Name,
            AutomountServiceAccountToken = false,
            EnableServiceLinks = false,
            SecurityContext = PodHardening.PodSecurityContext(hasStorage: false),
            ImagePullSecrets = agentSpec.ImagePullSecrets,
            NodeSelector = agentSpec.Placement?.NodeSelector,
            Tolerations = agentSpec.Placement?.Tolerations,
            Affinity = NodePlacement.Affinity(agentSpec.Placement),
            Containers =
            [
                new V1Container
                {
                    Name = ContainerName,
                    Image = agentSpec.Image,
                    ImagePullPolicy = agentSpec.ImagePullPolicy,
                    Command = agentSpec.RunOnce!.Command,
                    Args = agentSpec.RunOnce.Args,
                    Env = RuntimeEnvironment.For(agent, options, [Prompt(plan), RuntimeEnvironment.Value("DROVER_SCHEDULE", plan.Name)]),
                    EnvFrom = agentSpec.EnvFrom,
                    Resources = agentSpec.Resources,
                    SecurityContext = PodHardening.ContainerSecurityContext(),
                    VolumeMounts = AgentVolumes.Mounts(agent, includeWorkspace: false),
                },
            ],
            Volumes = AgentVolumes.Volumes(agent, includeWorkspace: false),
        };
    }

    // A prompt from a ConfigMap is read by the kubelet when the run starts, so editing it needs no CronJob change.
    private static V1EnvVar Prompt(SchedulePlan plan) => plan.Spec.PromptFrom?.ConfigMapKeyRef is { } reference
        ? new V1EnvVar
        {
            Name = "DROVER_PROMPT",
            ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = reference.Name, Key = reference.Key } },
        }
        : RuntimeEnvironment.Value("DROVER_PROMPT", plan.Spec.Prompt ?? "");
}
