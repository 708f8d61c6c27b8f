using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Apply;
using Drover.Operator.Observability;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Drover.Operator.Hosting;

/// <summary>
/// For <c>--exit-when-ready</c>: stops the application (exit code 0) once every Agent and Schedule in the caches
/// reports Ready for its current generation. Scripts and tests use it to wait for a converged cluster.
/// </summary>
internal sealed class ConvergenceWatcher(OperatorRuntime runtime, IHostApplicationLifetime lifetime, ILogger<ConvergenceWatcher> logger) : BackgroundService
{
    /// <summary>How often the caches are looked at; reading them is cheap and needs no API call.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Whether every Agent and Schedule is Ready for the generation it has now.</summary>
    public static bool IsConverged(IEnumerable<Agent> agents, IEnumerable<Schedule> schedules)
    {
        ArgumentNullException.ThrowIfNull(agents);
        ArgumentNullException.ThrowIfNull(schedules);
        return agents.All(a => IsReady(a, a.Status?.ObservedGeneration, a.Status?.Conditions))
            && schedules.All(s => IsReady(s, s.Status?.ObservedGeneration, s.Status?.Conditions));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await runtime.Host.HasSynced.WaitAsync(stoppingToken);
            using var timer = new PeriodicTimer(CheckInterval);
            do
            {
                var agents = runtime.Informers.Agents.Cache.List();
                var schedules = runtime.Informers.Schedules.Cache.List();
                if (IsConverged(agents, schedules))
                {
                    OperatorLog.Converged(logger, agents.Count, schedules.Count);
                    lifetime.StopApplication();
                    return;
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static bool IsReady(IKubernetesObject<V1ObjectMeta> obj, long? observedGeneration, IEnumerable<V1Condition>? conditions)
    {
        var generation = obj.Metadata.Generation;
        var ready = Conditions.Find(conditions, ConditionTypes.Ready);
        return ready?.Status == Conditions.True
            && observedGeneration == generation
            && (ready.ObservedGeneration is null || ready.ObservedGeneration == generation);
    }
}
