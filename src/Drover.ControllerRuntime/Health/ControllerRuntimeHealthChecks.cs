using Drover.ControllerRuntime.Informers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Drover.ControllerRuntime.Health;

/// <summary>Liveness: fails when an informer is stuck (no list/watch progress while unsynced, or a watch broken too long).</summary>
public sealed class InformerLivenessCheck(Func<IReadOnlyList<IInformer>> informers, TimeSpan stuckThreshold) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var stuck = informers().Select(i => i.GetHealth(stuckThreshold)).Where(h => h.Stuck).ToList();
        return Task.FromResult(stuck.Count == 0
            ? HealthCheckResult.Healthy("informers are making progress")
            : HealthCheckResult.Unhealthy(string.Join("; ", stuck.Select(h => $"{h.Name}: {h.Description}"))));
    }
}

/// <summary>Readiness: passes once every informer's cache has synced.</summary>
public sealed class InformerReadinessCheck(Func<IReadOnlyList<IInformer>> informers) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var waiting = informers().Where(i => !i.IsSynced).Select(i => i.Name).ToList();
        return Task.FromResult(waiting.Count == 0
            ? HealthCheckResult.Healthy("all caches synced")
            : HealthCheckResult.Unhealthy("waiting for caches: " + string.Join(", ", waiting)));
    }
}

public static class ControllerRuntimeHealthCheckExtensions
{
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    /// <summary>Adds the informer liveness (tag <c>live</c>) and readiness (tag <c>ready</c>) checks.</summary>
    public static IHealthChecksBuilder AddInformerChecks(this IHealthChecksBuilder builder, Func<IReadOnlyList<IInformer>> informers, TimeSpan? stuckThreshold = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(informers);
        return builder
            .AddCheck("informers-live", new InformerLivenessCheck(informers, stuckThreshold ?? TimeSpan.FromMinutes(5)), tags: [LiveTag])
            .AddCheck("informers-ready", new InformerReadinessCheck(informers), tags: [ReadyTag]);
    }
}
