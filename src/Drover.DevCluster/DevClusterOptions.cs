using Drover.DevCluster.Access;
using Drover.DevCluster.TestControls;

namespace Drover.DevCluster;

/// <summary>How to run a dev cluster.</summary>
public sealed class DevClusterOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>
    /// Runs the controllers and the node a real cluster has: Deployments get ReplicaSets and Pods, Jobs run Pods to
    /// completion, PersistentVolumeClaims are bound to provisioned PersistentVolumes, and one kubelet (node
    /// <c>dev-node</c>) reports the pods' status.
    /// </summary>
    public bool SimulateKubelet { get; init; }

    /// <summary>Events retained for watch resumption; older resourceVersions get 410 Expired.</summary>
    public int WatchHistoryLimit { get; init; } = 10_000;

    /// <summary>
    /// How long a pod takes, under the simulated kubelet, from creation until its containers run (and become ready),
    /// and how long a run-to-completion container runs. A rollout takes at least this long per step.
    /// </summary>
    public TimeSpan RolloutDelay { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// The simulated kubelet's first back-off after a failed image pull, a crash, a container config error, and the
    /// job controller's before replacing a failed pod; it doubles per failure up to five minutes (10 s as on a real node).
    /// </summary>
    public TimeSpan RestartBackOff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Images the simulated kubelet treats specially (root users, failed pulls, crashes, endless runs); changeable at run time.</summary>
    public SimulatedImages Images { get; init; } = new();

    /// <summary>How long an Event lives after its last write before the server deletes it (a real API server's default: 1 h).</summary>
    public TimeSpan EventTtl { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How often watches that allow bookmarks get one.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Events a watcher may have queued before it is closed as too slow.</summary>
    public int WatchBufferSize { get; init; } = 10_000;

    /// <summary>Logs every request (method, path, status) at Information level.</summary>
    public bool LogRequests { get; init; }

    /// <summary>Entries the <see cref="DevClusterServer.RequestLog"/> and the <see cref="DevClusterServer.AuthorizationLog"/> each keep; older ones are dropped (and counted).</summary>
    public int RequestLogLimit { get; init; } = 100_000;

    /// <summary>
    /// Bearer tokens the server accepts, each naming a user and its groups. Null (the default) turns authentication
    /// off: every request is served as today. When set, a request with an unknown token gets 401, one without a token
    /// is <c>system:anonymous</c>, and every known user is also in <c>system:authenticated</c>.
    /// </summary>
    public IReadOnlyDictionary<string, DevClusterUser>? Tokens { get; init; }

    /// <summary>
    /// Serves HTTPS with a self-signed certificate made at start (written into kubeconfigs as the cluster CA). kubectl
    /// and helm send bearer tokens only over TLS, so a test that authenticates them with <see cref="Tokens"/> needs it.
    /// </summary>
    public bool Tls { get; init; }

    /// <summary>
    /// Authorizes resource requests with the Roles, ClusterRoles, RoleBindings and ClusterRoleBindings stored in the
    /// cluster, answering 403 as the RBAC authorizer does; members of <c>system:masters</c> may do anything.
    /// Needs <see cref="Tokens"/> to tell users apart.
    /// </summary>
    public bool AuthorizeWithRbac { get; init; }

    /// <summary>
    /// The OwnerReferencesPermissionEnforcement admission plugin (on in OpenShift): setting an ownerReference needs
    /// <c>delete</c> on the object, and <c>blockOwnerDeletion: true</c> needs <c>update</c> on the owner's
    /// <c>&lt;resource&gt;/finalizers</c>, both judged by the stored RBAC objects. Needs <see cref="Tokens"/>.
    /// </summary>
    public bool EnforceOwnerReferencesPermission { get; init; }

    /// <summary>Clock for timestamps and timers; tests may substitute a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
