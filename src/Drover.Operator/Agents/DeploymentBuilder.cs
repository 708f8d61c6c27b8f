using Drover.Operator.Children;
using k8s.Models;

namespace Drover.Operator.Agents;

/// <summary>
/// Deployment <c>a</c>: the always-on agent process. Every field is set here or by the one helper named next to
/// it (env: <see cref="RuntimeEnvironment"/>, volumes: <see cref="AgentVolumes"/>, security:
/// <see cref="PodHardening"/>, affinity: <see cref="NodePlacement"/>).
/// </summary>
public static class DeploymentBuilder
{
    public const string ContainerName = "agent";

    public static V1Deployment Build(AgentPlan plan, OperatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        var spec = plan.Spec;
        var selector = ChildLabels.AgentPodSelector(plan.Name);
        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = V1Deployment.KubeKind,
            Metadata = ChildMetadata.For(plan.Agent, plan.Name, plan.Name, ChildLabels.AgentComponent),
            Spec = new V1DeploymentSpec
            {
                // Defaults.Apply sets replicas; 0 parks the agent and keeps everything else in place.
                Replicas = spec.Replicas,
                Selector = new V1LabelSelector { MatchLabels = selector },
                // A ReadWriteOnce workspace cannot be attached to the old and the new pod at once.
                Strategy = new V1DeploymentStrategy { Type = plan.HasStorage ? "Recreate" : "RollingUpdate" },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta
                    {
                        Labels = ChildLabels.For(plan.Name, plan.Name, ChildLabels.AgentComponent),
                        Annotations = new SortedDictionary<string, string>(StringComparer.Ordinal)
                        {
                            [ChildLabels.ConfigHashAnnotation] = plan.Configuration.Hash,
                        },
                    },
                    Spec = PodSpec(plan, options),
                },
            },
        };
    }

    private static V1PodSpec PodSpec(AgentPlan plan, OperatorOptions options)
    {
        var spec = plan.Spec;
        return new V1PodSpec
        {
            ServiceAccountName = plan.Name,
            AutomountServiceAccountToken = false,
            EnableServiceLinks = false,
            SecurityContext = PodHardening.PodSecurityContext(plan.HasStorage),
            ImagePullSecrets = spec.ImagePullSecrets,
            NodeSelector = spec.Placement?.NodeSelector,
            Tolerations = spec.Placement?.Tolerations,
            Affinity = NodePlacement.Affinity(spec.Placement),
            Containers = [Container(plan, options)],
            Volumes = AgentVolumes.Volumes(plan, includeWorkspace: true),
        };
    }

    private static V1Container Container(AgentPlan plan, OperatorOptions options)
    {
        var spec = plan.Spec;
        var container = new V1Container
        {
            Name = ContainerName,
            Image = spec.Image,
            ImagePullPolicy = spec.ImagePullPolicy,
            Command = spec.Command,
            Args = spec.Args,
            Env = RuntimeEnvironment.For(plan, options),
            EnvFrom = spec.EnvFrom,
            Resources = spec.Resources,
            SecurityContext = PodHardening.ContainerSecurityContext(),
            VolumeMounts = AgentVolumes.Mounts(plan, includeWorkspace: true),
        };
        if (spec.Port is { } port)
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
