using Drover.ControllerRuntime.Client;
using k8s;

namespace Drover.Operator.Hosting;

/// <summary><c>drover run</c>: parse the options, find the cluster, run the operator until stopped.</summary>
public static class RunCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var options = RunOptions.Parse(args, Environment.GetEnvironmentVariable, out var problem, out var help);
        if (help)
        {
            await output.WriteLineAsync(RunOptions.Usage);
            return 0;
        }

        if (options is null)
        {
            await error.WriteLineAsync($"drover run: {problem}");
            return 2;
        }

        KubernetesClientConfiguration config;
        try
        {
            config = ClusterConfig(options);
        }
        catch (k8s.Exceptions.KubeConfigException e)
        {
            await error.WriteLineAsync($"drover run: no cluster to run against: {e.Message} Pass --kubeconfig, set KUBECONFIG, or run inside a cluster.");
            return 2;
        }

        var client = KubeApiClient.FromConfig(config, $"drover/{DroverCommands.Version}");
        await using var app = OperatorApplication.Build(options, client, Environment.GetEnvironmentVariable);
        OperatorLog.Starting(
            app.Logger,
            DroverCommands.Version,
            options.Namespaces.Count == 0 ? "all" : string.Join(",", options.Namespaces),
            options.Workers,
            options.LeaderElect,
            options.MetricsAddress.Length == 0 ? "off" : options.MetricsAddress,
            options.HealthAddress.Length == 0 ? "off" : options.HealthAddress);
        await app.RunAsync();
        return 0;
    }

    /// <summary>--kubeconfig, else the in-cluster service account, else KUBECONFIG or ~/.kube/config.</summary>
    public static KubernetesClientConfiguration ClusterConfig(RunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Kubeconfig is { } path)
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        }

        return KubernetesClientConfiguration.IsInCluster()
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(FirstKubeconfig(Environment.GetEnvironmentVariable("KUBECONFIG")));
    }

    // KUBECONFIG may list several files; like kubectl, the first that exists holds the current context.
    private static string? FirstKubeconfig(string? variable) =>
        (variable ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(File.Exists);
}
