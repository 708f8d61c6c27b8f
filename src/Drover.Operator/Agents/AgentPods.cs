using Drover.ControllerRuntime.Client;
using Drover.Operator.Children;
using Drover.Operator.Cluster;
using k8s.Models;

namespace Drover.Operator.Agents;

/// <summary>
/// What an agent's always-on pods say about why they do not run: a container waiting on its image, its configuration
/// or a crash loop. The Deployment only reports this as a stalled rollout after its progress deadline (600 s);
/// the pods say it within seconds.
/// </summary>
internal static class AgentPods
{
    /// <summary>The index of the pods cache by the agent (<c>namespace/name</c>) they run.</summary>
    public const string ByAgent = "pod-agent";

    /// <summary>The label selector of the pods informer: only the always-on pods Drover's Deployments make, never other pods.</summary>
    public static string Selector { get; } =
        $"{ChildLabels.ManagedBy}={ChildLabels.ManagedByValue},{ChildLabels.Component}={ChildLabels.AgentComponent}";

    /// <summary>Waiting reasons that need a person: the kubelet keeps retrying, but nothing changes until the spec, the image or the cluster does.</summary>
    private static readonly string[] Blocking =
    [
        "ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull",
        "CreateContainerConfigError", "CreateContainerError", "RunContainerError", "CrashLoopBackOff",
    ];

    public static void Register(OperatorInformers informers)
    {
        ArgumentNullException.ThrowIfNull(informers);
        informers.Pods.Cache.AddIndex(ByAgent, pod => AgentOf(pod) is { } key ? [OperatorInformers.Key(key.Namespace, key.Name)] : []);
    }

    /// <summary>The agent whose always-on process <paramref name="pod"/> is, by its labels; null for any other pod.</summary>
    public static ObjectKey? AgentOf(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var labels = pod.Metadata?.Labels;
        if (labels is null
            || !labels.TryGetValue(ChildLabels.Instance, out var agent)
            || !labels.TryGetValue(ChildLabels.Name, out var name) || name != agent
            || !labels.TryGetValue(ChildLabels.Component, out var component) || component != ChildLabels.AgentComponent
            || !labels.TryGetValue(ChildLabels.ManagedBy, out var managedBy) || managedBy != ChildLabels.ManagedByValue)
        {
            return null;
        }

        return new ObjectKey(pod.Metadata!.NamespaceProperty, agent);
    }

    /// <summary>
    /// Whether a pod update changes what <see cref="Problem"/> reports: a container starting or stopping to wait for a
    /// reason that needs a person, or that reason's message changing. Ordinary waits (ContainerCreating) and every other
    /// status change of a starting pod wake nobody, so creating a thousand agents does not reconcile each again per pod
    /// event.
    /// </summary>
    public static bool WaitingChanged(V1Pod old, V1Pod current)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(current);
        return !Blocked(old).SequenceEqual(Blocked(current));
    }

    /// <summary>
    /// Whether a pod is one the pods cache holds: a container of it waits for a reason that needs a person, and it is not
    /// on its way out. A pod entering or leaving that set is what changes <see cref="Problem"/>.
    /// </summary>
    public static bool NeedsAttention(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return pod.Metadata?.DeletionTimestamp is null && Blocked(pod).Any();
    }

    /// <summary>
    /// The first container (by pod, then container name) waiting for a reason that needs a person, or null. Pods being
    /// deleted are left out: they are on their way out.
    /// </summary>
    public static PodProblem? Problem(IEnumerable<V1Pod> pods)
    {
        ArgumentNullException.ThrowIfNull(pods);
        foreach (var pod in pods.Where(p => p.Metadata?.DeletionTimestamp is null).OrderBy(p => p.Metadata?.Name, StringComparer.Ordinal))
        {
            var statuses = (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? []);
            foreach (var container in statuses)
            {
                if (container.State?.Waiting is { Reason: { } reason } waiting && Blocking.Contains(reason, StringComparer.Ordinal))
                {
                    return new PodProblem(pod.Metadata!.Name, container.Name, reason, waiting.Message);
                }
            }
        }

        return null;
    }

    private static IEnumerable<(string Name, string Reason, string? Message)> Blocked(V1Pod pod) =>
        (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? [])
            .Where(c => c.State?.Waiting?.Reason is { } reason && Blocking.Contains(reason, StringComparer.Ordinal))
            .Select(c => (c.Name, c.State!.Waiting!.Reason, (string?)c.State.Waiting.Message));
}

/// <summary>A container of an agent pod that waits for something only a person can fix.</summary>
internal sealed record PodProblem(string Pod, string Container, string Reason, string? Message)
{
    /// <summary>The Ready message: which pod and container, the kubelet's reason and its words.</summary>
    public string Describe() =>
        $"Pod {Pod}: container {Container} is waiting with {Reason}" + (string.IsNullOrWhiteSpace(Message) ? "." : $": {Message}");
}
