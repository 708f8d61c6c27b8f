using k8s.Exceptions;

namespace Drover.ControllerRuntime.Client;

/// <summary>
/// Finds the cluster a controller talks to, in controller-runtime's order: an explicit kubeconfig file (the
/// <c>--kubeconfig</c> flag); else, when KUBECONFIG is unset, the pod's service account; else the files KUBECONFIG
/// lists, merged as kubectl merges them; else <c>~/.kube/config</c>. A context name (<c>--context</c>) picks the
/// context instead of <c>current-context</c>, and asks for a kubeconfig even inside a pod.
/// </summary>
public static class KubeconfigLoader
{
    /// <param name="kubeconfigPath">An explicit file; when set, KUBECONFIG and the service account are not looked at.</param>
    /// <param name="context">The context to use instead of the kubeconfig's <c>current-context</c>.</param>
    /// <param name="environment">Reads environment variables (KUBECONFIG, HOME, KUBERNETES_SERVICE_HOST/PORT).</param>
    /// <exception cref="KubeConfigException">No configuration was found, or the one found is unusable; the message says which and why.</exception>
    public static ClusterConnection Load(string? kubeconfigPath, string? context, Func<string, string?> environment) =>
        Load(kubeconfigPath, context, environment, ClusterConnection.ServiceAccountDirectory);

    internal static ClusterConnection Load(string? kubeconfigPath, string? context, Func<string, string?> environment, string serviceAccountDirectory)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.IsNullOrWhiteSpace(kubeconfigPath))
        {
            return Kubeconfig.LoadFile(kubeconfigPath).Resolve(context);
        }

        var listed = environment("KUBECONFIG");
        if (!string.IsNullOrWhiteSpace(listed))
        {
            return Kubeconfig.Load(listed.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Resolve(context);
        }

        if (string.IsNullOrEmpty(context) && ClusterConnection.IsInCluster(environment, serviceAccountDirectory))
        {
            return ClusterConnection.InCluster(environment, serviceAccountDirectory);
        }

        var home = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var defaultFile = Path.Combine(home, ".kube", "config");
        if (File.Exists(defaultFile))
        {
            return Kubeconfig.LoadFile(defaultFile).Resolve(context);
        }

        throw new KubeConfigException(
            $"no kubeconfig found: KUBECONFIG is not set, {defaultFile} does not exist"
            + (string.IsNullOrEmpty(context) ? " and this is not a pod with a service account (KUBERNETES_SERVICE_HOST is not set)." : "."));
    }
}
