using Drover.ControllerRuntime.Client;

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

        ClusterConnection connection;
        try
        {
            connection = ClusterConfig(options);
        }
        catch (k8s.Exceptions.KubeConfigException e)
        {
            await error.WriteLineAsync($"drover run: no cluster to run against: {e.Message} Pass --kubeconfig (and --context), set KUBECONFIG, or run inside a cluster.");
            return 2;
        }

        var client = KubeApiClient.FromConnection(connection, $"drover/{DroverCommands.Version}");
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

    /// <summary>
    /// --kubeconfig, else KUBECONFIG (its files merged as kubectl merges them), else the in-cluster service account, else
    /// ~/.kube/config; --context picks the context.
    /// </summary>
    public static ClusterConnection ClusterConfig(RunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return KubeconfigLoader.Load(options.Kubeconfig, options.Context, Environment.GetEnvironmentVariable);
    }
}
