using Drover.Operator.Children;
using k8s.Models;

namespace Drover.Operator.Agents;

/// <summary>
/// The one pod an agent runs as. The always-on process (the Deployment) and every Schedule run (the CronJob) use this
/// template, so the two cannot drift apart; they differ only in what <see cref="AgentProcess"/> says. Every field
/// is set here or by the one helper named next to it (env: <see cref="RuntimeEnvironment"/>, volumes:
/// <see cref="AgentVolumes"/>, security: <see cref="PodHardening"/>, affinity: <see cref="NodePlacement"/>).
/// </summary>
internal static class AgentPod
{
    public const string ContainerName = "agent";

    public static V1PodTemplateSpec Template(AgentPlan plan, OperatorOptions options, AgentProcess process)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(process);
        var spec = plan.Spec;
        return new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta
            {
                Labels = process.Labels,
                Annotations = new SortedDictionary<string, string>(StringComparer.Ordinal)
                {
                    [ChildLabels.ConfigHashAnnotation] = plan.Configuration.Hash,
                },
            },
            Spec = new V1PodSpec
            {
                RestartPolicy = process.RestartPolicy,
                ServiceAccountName = plan.Name,
                AutomountServiceAccountToken = false,
                EnableServiceLinks = false,
                SecurityContext = PodHardening.PodSecurityContext(spec.SecurityContext, process.MountsWorkspace && plan.HasStorage),
                ImagePullSecrets = spec.ImagePullSecrets,
                NodeSelector = spec.Placement?.NodeSelector,
                Tolerations = spec.Placement?.Tolerations,
                Affinity = NodePlacement.Affinity(spec.Placement),
                Containers = [Container(plan, options, process)],
                Volumes = AgentVolumes.Volumes(plan, includeWorkspace: process.MountsWorkspace, process.GatewayKeySecret),
            },
        };
    }

    private static V1Container Container(AgentPlan plan, OperatorOptions options, AgentProcess process)
    {
        var spec = plan.Spec;
        var container = new V1Container
        {
            Name = ContainerName,
            Image = spec.Image,
            ImagePullPolicy = spec.ImagePullPolicy,
            Command = process.Command,
            Args = process.Args,
            Env = RuntimeEnvironment.For(plan, options, process.Environment, process.GatewayKeySecret),
            EnvFrom = spec.EnvFrom,
            Resources = spec.Resources,
            SecurityContext = PodHardening.ContainerSecurityContext(),
            VolumeMounts = AgentVolumes.Mounts(plan, includeWorkspace: process.MountsWorkspace, process.GatewayKeySecret),
        };
        if (process.Serves && spec.Port is { } port)
        {
            container.Ports = [new V1ContainerPort { Name = ServiceBuilder.PortName, ContainerPort = port, Protocol = "TCP" }];
            var path = spec.Health?.Path ?? Api.V1Alpha1.Defaults.HealthPath;
            container.ReadinessProbe = new V1Probe
            {
                HttpGet = new V1HTTPGetAction { Path = path, Port = ServiceBuilder.PortName },
                PeriodSeconds = 10,
            };
            // Slower and more tolerant than readiness: a busy agent answering a long model call must not be killed.
            container.LivenessProbe = new V1Probe
            {
                HttpGet = new V1HTTPGetAction { Path = path, Port = ServiceBuilder.PortName },
                PeriodSeconds = 20,
                FailureThreshold = 6,
            };
        }

        return container;
    }
}

/// <summary>What tells the always-on agent process apart from one Schedule run in <see cref="AgentPod"/>.</summary>
/// <param name="Labels">The pod's labels.</param>
/// <param name="Command">The container command (null keeps the image's entrypoint).</param>
/// <param name="Args">The container arguments (null keeps the image's).</param>
/// <param name="Environment">Variables beyond the runtime contract (the prompt and the Schedule of a run).</param>
/// <param name="Serves">Whether the process listens on <c>spec.port</c>, with probes.</param>
/// <param name="MountsWorkspace">Whether the workspace volume is mounted (only one pod may attach a ReadWriteOnce claim).</param>
/// <param name="RestartPolicy">The pod's restart policy; null leaves the Deployment's default (Always).</param>
/// <param name="GatewayKeySecret">In Gateway mode, the Secret of the key the process authenticates with (usage is counted per key).</param>
internal sealed record AgentProcess(
    IDictionary<string, string> Labels,
    IList<string>? Command,
    IList<string>? Args,
    IReadOnlyList<V1EnvVar> Environment,
    bool Serves,
    bool MountsWorkspace,
    string? RestartPolicy,
    string? GatewayKeySecret)
{
    /// <summary>The agent's always-on process: its own command, its port and its workspace.</summary>
    public static AgentProcess AlwaysOn(AgentPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new AgentProcess(
            ChildLabels.For(plan.Name, plan.Name, ChildLabels.AgentComponent),
            plan.Spec.Command,
            plan.Spec.Args,
            [],
            Serves: true,
            MountsWorkspace: true,
            RestartPolicy: null,
            GatewayKeySecret: plan.UsesGateway ? Gateway.GatewayKey.SecretName(plan.Name) : null);
    }

    /// <summary>
    /// One run of Schedule <paramref name="schedule"/>: the runOnce command and args, run to completion, never restarted
    /// in place. Without a command the image's entrypoint runs with the args, as in any container.
    /// </summary>
    public static AgentProcess ScheduleRun(AgentPlan plan, string schedule, IReadOnlyList<V1EnvVar> environment)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new AgentProcess(
            ChildLabels.For(plan.Name, schedule, ChildLabels.ScheduleComponent),
            plan.Spec.RunOnce?.Command is { Count: > 0 } command ? command : null,
            plan.Spec.RunOnce?.Args is { Count: > 0 } args ? args : null,
            environment,
            Serves: false,
            MountsWorkspace: false,
            RestartPolicy: "Never",
            GatewayKeySecret: plan.UsesGateway ? Gateway.GatewayKey.SecretName(schedule) : null);
    }
}
