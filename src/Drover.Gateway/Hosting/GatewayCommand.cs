using Drover.ControllerRuntime.Client;
using Drover.Gateway.Admission;
using Drover.Gateway.Telemetry;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Drover.Gateway.Hosting;

/// <summary><c>drover-gateway</c>: parse the options, find the cluster, serve until stopped.</summary>
internal static class GatewayCommand
{
    public static string Version => typeof(GatewayCommand).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (args is ["version"] or ["--version"])
        {
            await output.WriteLineAsync($"drover-gateway {Version}");
            return 0;
        }

        var options = GatewayOptions.Parse(args, Environment.GetEnvironmentVariable, out var problem, out var help);
        if (help)
        {
            await output.WriteLineAsync(GatewayOptions.Usage);
            return 0;
        }

        if (options is null)
        {
            await error.WriteLineAsync($"drover-gateway: {problem}");
            return 2;
        }

        KubernetesClientConfiguration config;
        try
        {
            config = options.Kubeconfig is { } path
                ? KubernetesClientConfiguration.BuildConfigFromConfigFile(path)
                : KubernetesClientConfiguration.IsInCluster()
                    ? KubernetesClientConfiguration.InClusterConfig()
                    : KubernetesClientConfiguration.BuildConfigFromConfigFile();
        }
        catch (k8s.Exceptions.KubeConfigException e)
        {
            await error.WriteLineAsync($"drover-gateway: no cluster to run against: {e.Message} Pass --kubeconfig, set KUBECONFIG, or run inside a cluster.");
            return 2;
        }

        var client = KubeApiClient.FromConfig(config, $"drover-gateway/{Version}");
        await using var app = Build(options, client, Environment.GetEnvironmentVariable);
        GatewayLog.Starting(
            app.Logger,
            Version,
            options.Listen,
            options.Namespaces.Count == 0 ? "all" : string.Join(",", options.Namespaces),
            options.MetricsAddress.Length == 0 ? "off" : options.MetricsAddress,
            options.HealthAddress.Length == 0 ? "off" : options.HealthAddress);
        await app.RunAsync();
        return 0;
    }

    /// <summary>The gateway against a cluster, with admission state in this process, or shared through Redis with <c>--redis</c>.</summary>
    public static Microsoft.AspNetCore.Builder.WebApplication Build(GatewayOptions options, KubeApiClient client, Func<string, string?> environment, Action<ILoggingBuilder>? logging = null, TimeProvider? time = null)
    {
        var clock = time ?? TimeProvider.System;
        return GatewayApplication.Build(
            options,
            sp =>
            {
                var loggers = sp.GetRequiredService<ILoggerFactory>();
                return new KubernetesRuntime(client, options, AdmissionState(options, environment, clock, loggers), loggers, clock).Services;
            },
            environment,
            logging);
    }

    /// <summary>Where admission state lives: this process, or Redis (connected in the background, so a Redis that is down does not stop the start).</summary>
    public static IAdmissionState AdmissionState(GatewayOptions options, Func<string, string?> environment, TimeProvider time, ILoggerFactory loggers)
    {
        if (RedisConnection.Options(options, environment) is not { } configuration)
        {
            return new InMemoryAdmissionState(time);
        }

        var redis = StackExchange.Redis.ConnectionMultiplexer.Connect(configuration);
        return new SharedAdmissionState(
            new RedisAdmissionState(redis, time, RedisAdmissionState.DefaultLease, ownsConnection: true),
            options.Replicas,
            time,
            SharedAdmissionState.DefaultProbe,
            loggers.CreateLogger("Drover.Gateway.Redis"),
            new RedisDiagnosis(configuration));
    }
}
