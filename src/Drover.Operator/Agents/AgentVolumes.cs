using k8s.Models;

namespace Drover.Operator.Agents;

/// <summary>The volumes of an agent pod: its configuration Secret, a writable /tmp and, with storage, its workspace.</summary>
internal static class AgentVolumes
{
    public const string ConfigVolume = "config";
    public const string WorkspaceVolume = "workspace";
    public const string GatewayKeyVolume = "gateway-key";

    /// <param name="plan">The resolved agent.</param>
    /// <param name="includeWorkspace">
    /// False for Schedule runs: the workspace claim is ReadWriteOnce and held by the always-on pod, so a run
    /// scheduled on another node could never start.
    /// </param>
    /// <param name="gatewayKeySecret">In Gateway mode, the Secret of the pod's gateway key, mounted for runtimes that read it from a file.</param>
    public static List<V1Volume> Volumes(AgentPlan plan, bool includeWorkspace, string? gatewayKeySecret = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var volumes = new List<V1Volume>
        {
            new() { Name = ConfigVolume, Secret = new V1SecretVolumeSource { SecretName = plan.SecretName } },
            new() { Name = PodHardening.TmpVolume, EmptyDir = new V1EmptyDirVolumeSource() },
        };
        if (gatewayKeySecret is not null)
        {
            volumes.Add(new V1Volume { Name = GatewayKeyVolume, Secret = new V1SecretVolumeSource { SecretName = gatewayKeySecret } });
        }

        if (includeWorkspace && plan.HasStorage)
        {
            volumes.Add(new V1Volume
            {
                Name = WorkspaceVolume,
                PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = plan.WorkspaceClaimName },
            });
        }

        return volumes;
    }

    public static List<V1VolumeMount> Mounts(AgentPlan plan, bool includeWorkspace, string? gatewayKeySecret = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var mounts = new List<V1VolumeMount>
        {
            new() { Name = ConfigVolume, MountPath = AgentConfiguration.Directory, ReadOnlyProperty = true },
            new() { Name = PodHardening.TmpVolume, MountPath = PodHardening.TmpPath },
        };
        if (gatewayKeySecret is not null)
        {
            mounts.Add(new V1VolumeMount { Name = GatewayKeyVolume, MountPath = AgentConfiguration.GatewayKeyDirectory, ReadOnlyProperty = true });
        }

        if (includeWorkspace && plan.HasStorage)
        {
            mounts.Add(new V1VolumeMount { Name = WorkspaceVolume, MountPath = AgentConfiguration.WorkspacePath });
        }

        return mounts;
    }
}
