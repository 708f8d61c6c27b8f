using Drover.Api.V1Alpha1;
using k8s.Models;

namespace Drover.Operator.Agents;

/// <summary>
/// The hardened defaults every agent pod runs with: non-root, no privilege escalation, no capabilities, the
/// runtime's default seccomp profile and a read-only root filesystem (a writable emptyDir is mounted at /tmp, which
/// is also HOME). The user and groups are always numeric: runAsNonRoot alone fails every image whose user is root,
/// unset or a name (CreateContainerConfigError), so the pod names one, 65532 unless spec.securityContext says otherwise.
/// </summary>
internal static class PodHardening
{
    public const string TmpVolume = "tmp";
    public const string TmpPath = "/tmp";

    /// <param name="security">The agent's spec.securityContext (null: every id defaults).</param>
    /// <param name="mountsWorkspace">
    /// Whether the pod mounts the workspace: a fresh volume is root-owned, so its files are handed to fsGroup, once
    /// (OnRootMismatch: a large workspace is not walked on every start).
    /// </param>
    public static V1PodSecurityContext PodSecurityContext(AgentSecurityContext? security, bool mountsWorkspace) => new()
    {
        RunAsNonRoot = true,
        RunAsUser = security?.RunAsUser ?? Defaults.AgentUser,
        RunAsGroup = security?.RunAsGroup ?? Defaults.AgentUser,
        FsGroup = security?.FsGroup ?? Defaults.AgentUser,
        FsGroupChangePolicy = mountsWorkspace ? "OnRootMismatch" : null,
        SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
    };

    public static V1SecurityContext ContainerSecurityContext() => new()
    {
        RunAsNonRoot = true,
        AllowPrivilegeEscalation = false,
        ReadOnlyRootFilesystem = true,
        Capabilities = new V1Capabilities { Drop = ["ALL"] },
        SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
    };
}
