using k8s.Models;

namespace Drover.Operator.Agents;

/// <summary>
/// The hardened defaults every agent pod runs with: non-root, no privilege escalation, no capabilities, the
/// runtime's default seccomp profile and a read-only root filesystem (a writable emptyDir is mounted at /tmp).
/// </summary>
internal static class PodHardening
{
    public const string TmpVolume = "tmp";
    public const string TmpPath = "/tmp";

    /// <summary>
    /// Group that owns the workspace volume's files. Set only with storage: a fresh volume is root-owned, and a
    /// non-root agent could not write its own workspace otherwise.
    /// </summary>
    public const long WorkspaceGroup = 65532;

    public static V1PodSecurityContext PodSecurityContext(bool hasStorage) => new()
    {
        RunAsNonRoot = true,
        SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
        FsGroup = hasStorage ? WorkspaceGroup : null,
        FsGroupChangePolicy = hasStorage ? "OnRootMismatch" : null,
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
