using k8s.Models;

namespace Drover.Operator.Rollouts;

/// <summary>Reads a Deployment's status the way <c>kubectl rollout status</c> does.</summary>
internal static class DeploymentProgress
{
    /// <summary>
    /// True while a rollout is under way: the controller has not seen the latest spec yet, or not every desired
    /// pod runs the latest template, or old pods are still around, or not every new pod is available. A rollout the
    /// Deployment controller gave up on (ProgressDeadlineExceeded) is no longer progressing: it is stuck.
    /// </summary>
    public static bool IsProgressing(V1Deployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        // A status older than the spec says nothing yet, not even that an earlier rollout stalled.
        var status = deployment.Status;
        var desired = deployment.Spec?.Replicas ?? 1;
        if (status is null || (deployment.Metadata.Generation ?? 0) > (status.ObservedGeneration ?? 0))
        {
            return true;
        }

        if (HasStalled(deployment))
        {
            return false;
        }

        return (status.UpdatedReplicas ?? 0) < desired
            || (status.Replicas ?? 0) > (status.UpdatedReplicas ?? 0)
            || (status.AvailableReplicas ?? 0) < desired;
    }

    /// <summary>The Deployment controller reports the rollout made no progress within its deadline.</summary>
    public static bool HasStalled(V1Deployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return deployment.Status?.Conditions?.Any(c => c.Type == "Progressing" && c.Status == "False" && c.Reason == "ProgressDeadlineExceeded") == true;
    }

    /// <summary>The Kubernetes default of <c>spec.progressDeadlineSeconds</c>.</summary>
    public static readonly TimeSpan DefaultProgressDeadline = TimeSpan.FromSeconds(600);

    /// <summary>How long the Deployment controller waits for a rollout of <paramref name="deployment"/> to progress.</summary>
    public static TimeSpan ProgressDeadline(V1Deployment? deployment) =>
        deployment?.Spec?.ProgressDeadlineSeconds is int seconds and > 0 ? TimeSpan.FromSeconds(seconds) : DefaultProgressDeadline;

    /// <summary>The value of the pod template's <c>drover.dev/config-hash</c>, or null.</summary>
    public static string? ConfigHash(V1Deployment? deployment, string annotation) =>
        deployment?.Spec?.Template?.Metadata?.Annotations is { } annotations && annotations.TryGetValue(annotation, out var hash) ? hash : null;
}
