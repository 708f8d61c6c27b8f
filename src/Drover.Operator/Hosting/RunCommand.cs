using Drover.ControllerRuntime.Client;
using Drover.Operator.Observability;
using Drover.Operator.Resolution;

namespace Drover.Operator.Hosting;

/// <summary><c>drover run</c>: find the cluster, run the operator with the parsed options until stopped.</summary>
internal static class RunCommand
{
    /// <summary>The exit code for options that make no sense, or no cluster to run against.</summary>
    public const int BadOptions = 2;

    public static async Task<int> RunAsync(RunOptions options, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        ClusterConnection connection;
        try
        {
            connection = ClusterConfig(options);
        }
        catch (k8s.Exceptions.KubeConfigException e)
        {
            await error.WriteLineAsync($"drover run: no cluster to run against: {e.Message} Pass --kubeconfig (and --context), set KUBECONFIG, or run inside a cluster.");
            return BadOptions;
        }

        var client = KubeApiClient.FromConnection(connection, $"drover/{DroverCommands.Version}");
        SecretDigest digest;
        try
        {
            digest = await DigestKeys.LoadOrCreateAsync(client, options.LeaderElectionNamespace, CancellationToken.None);
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or InvalidOperationException)
        {
            await error.WriteLineAsync($"drover run: cannot read or create the digest key Secret {options.LeaderElectionNamespace}/{DigestKeys.SecretName}: {e.Message}");
            return 1;
        }

        await using var app = OperatorApplication.Build(options, client, Environment.GetEnvironmentVariable, digest);
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
