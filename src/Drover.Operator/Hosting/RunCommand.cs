using System.Runtime.InteropServices;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Health;
using Drover.Operator.Observability;
using Drover.Operator.Resolution;

namespace Drover.Operator.Hosting;

/// <summary><c>drover run</c>: find the cluster, run the operator with the parsed options until stopped.</summary>
internal static class RunCommand
{
    /// <summary>The exit code for options that make no sense, a listen address in use, or no cluster to run against.</summary>
    public const int BadOptions = 2;

    /// <summary>The exit code when the API server never answered within --startup-timeout.</summary>
    public const int Unreachable = 1;

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

        if (TakenListener(options) is { } taken)
        {
            await error.WriteLineAsync($"drover run: {taken}");
            return BadOptions;
        }

        var client = KubeApiClient.FromConnection(connection, $"drover/{DroverCommands.Version}");

        // Ctrl-C or SIGTERM while waiting is a normal stop; once running, the host handles both the same way.
        using (var stop = new CancellationTokenSource())
        using (PosixSignalRegistration.Create(PosixSignal.SIGINT, StopOn(stop)))
        using (PosixSignalRegistration.Create(PosixSignal.SIGTERM, StopOn(stop)))
        {
            if (!await ApiServerWait.WaitAsync(client, options.StartupTimeout, error, TimeProvider.System, stop.Token))
            {
                return stop.IsCancellationRequested ? 0 : Unreachable;
            }
        }

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

    private static Action<PosixSignalContext> StopOn(CancellationTokenSource stop) => context =>
    {
        context.Cancel = true;
        stop.Cancel();
    };

    /// <summary>Which listen address another process already holds, and the flag that moves it; null when both are free.</summary>
    private static string? TakenListener(RunOptions options)
    {
        foreach (var (flag, address) in new[] { ("metrics-address", options.MetricsAddress), ("health-address", options.HealthAddress) })
        {
            if (ListenAddress.TryParse(address, out var parsed) && parsed!.IsTaken())
            {
                var variable = RunOptions.Flags.Single(f => f.Name == flag).Environment;
                return $"{address} is already in use by another process; choose another port with --{flag} ({variable}), or \"\" to turn that listener off.";
            }
        }

        return null;
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
