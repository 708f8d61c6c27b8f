using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Apply;
using Drover.ControllerRuntime.Client;
using Drover.Gateway.Admission;
using Drover.Gateway.Configuration;
using Drover.Gateway.Proxy;
using Drover.Gateway.Telemetry;
using Microsoft.Extensions.Logging;

namespace Drover.Gateway.Status;

/// <summary>
/// Writes status.usage and WithinBudget of the Agents and Schedules that were charged, coalesced: at most once per
/// object per interval, never per request, by server-side apply on <c>/status</c> as field manager
/// <c>drover-gateway</c>, so the operator's own status fields and conditions are left alone. An object whose day
/// rolled over is written again so its status shows the new day. Crossing 80% and 100% of a budget records a
/// Warning Event; so does the first request refused in a window whose budget no charge crossed (the budget was
/// lowered below what the day had spent), once per window on each replica.
/// </summary>
internal sealed class UsageStatusWriter(
    KubeApiClient client,
    IClusterView view,
    IAdmissionState state,
    EventRecorder events,
    TimeSpan interval,
    TimeProvider time,
    ILogger logger) : IUsageObserver
{
    public const string FieldManager = "drover-gateway";

    private readonly ConcurrentDictionary<BucketKey, byte> _dirty = new();
    private readonly ConcurrentDictionary<BucketKey, Written> _written = new();

    // Windows whose exhaustion has been announced (by a crossing or a refusal), until they end.
    private readonly ConcurrentDictionary<(BucketKey Bucket, DateTimeOffset Start), DateTimeOffset> _announced = new();

    /// <summary>Writes made, for tests that check the coalescing.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    private long _writes;

    public void Charged(Caller caller, IReadOnlyList<BudgetWindow> windows, IReadOnlyList<BudgetCrossing> crossings)
    {
        foreach (var window in windows)
        {
            _dirty[window.Bucket] = 0;
        }

        foreach (var crossing in crossings)
        {
            var bucket = crossing.Window.Bucket;
            GatewayLog.BudgetCrossed(logger, bucket.ToString(), crossing.Percent, crossing.Usage.Tokens.Total, crossing.Usage.Cost);
            if (crossing.Percent >= 100)
            {
                _announced[(bucket, crossing.Window.Start)] = crossing.Window.End;
            }

            var (reason, what) = crossing.Percent >= 100 ? ("BudgetExhausted", "spent") : ("BudgetNearlySpent", $"{crossing.Percent}% spent");
            Warn(bucket, reason, $"The daily budget is {what}: {UsageStatus.Describe(crossing.Window, crossing.Usage)}");
        }
    }

    public void Refused(Caller caller, BudgetWindow window, WindowUsage spent)
    {
        // Status shows WithinBudget=False even when no charge got it there.
        _dirty[window.Bucket] = 0;
        if (_announced.TryAdd((window.Bucket, window.Start), window.End))
        {
            GatewayLog.BudgetCrossed(logger, window.Bucket.ToString(), 100, spent.Tokens.Total, spent.Cost);
            Warn(window.Bucket, "BudgetExhausted", $"The daily budget is spent: {UsageStatus.Describe(window, spent)}");
        }
    }

    private void Warn(BucketKey bucket, string reason, string note)
    {
        k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>? regarding = bucket.Schedule is { } schedule
            ? view.Schedule(bucket.Namespace, schedule)
            : view.Agent(bucket.Namespace, bucket.Agent);
        if (regarding is not null)
        {
            _ = events.WarningAsync(regarding, reason, "Admit", note, CancellationToken.None);
        }
    }

    /// <summary>Writes what is due until <paramref name="cancellationToken"/> ends, checking every second (or every interval, if shorter).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var tick = interval < TimeSpan.FromSeconds(1) ? interval : TimeSpan.FromSeconds(1);
        using var timer = new PeriodicTimer(tick, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await WriteDueAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        // Whatever was counted since the last write goes out before the process ends.
        using var final = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await WriteDueAsync(final.Token, ignoreInterval: true);
    }

    /// <summary>Writes every bucket that changed (or whose day rolled over) and was not written within the interval.</summary>
    public async Task WriteDueAsync(CancellationToken cancellationToken, bool ignoreInterval = false)
    {
        var now = time.GetUtcNow();
        foreach (var (window, end) in _announced)
        {
            if (end <= now)
            {
                _announced.TryRemove(window, out _);
            }
        }

        foreach (var (bucket, written) in _written)
        {
            if (written.WindowEnd <= now)
            {
                _dirty[bucket] = 0;
            }
        }

        foreach (var bucket in _dirty.Keys)
        {
            if (!ignoreInterval && _written.TryGetValue(bucket, out var last) && now - last.At < interval)
            {
                continue;
            }

            _dirty.TryRemove(bucket, out _);
            if (!await WriteAsync(bucket, now, cancellationToken))
            {
                _dirty[bucket] = 0;
            }
        }
    }

    [SuppressMessage("Design", "CA1031", Justification = "A failed status write is retried on the next tick; it must not stop the writer.")]
    private async Task<bool> WriteAsync(BucketKey bucket, DateTimeOffset now, CancellationToken cancellationToken)
    {
        string kind;
        string name;
        Budget? budget;
        IReadOnlyList<k8s.Models.V1Condition>? conditions;
        if (bucket.Schedule is { } scheduleName)
        {
            var schedule = view.Schedule(bucket.Namespace, scheduleName);
            if (schedule is null)
            {
                _written.TryRemove(bucket, out _);
                return true;
            }

            (kind, name, budget, conditions) = (Schedule.KubeKind, scheduleName, schedule.Spec.Budget, schedule.Status?.Conditions);
        }
        else
        {
            var agent = view.Agent(bucket.Namespace, bucket.Agent);
            if (agent is null)
            {
                _written.TryRemove(bucket, out _);
                return true;
            }

            (kind, name, budget, conditions) = (Agent.KubeKind, bucket.Agent, agent.Spec.Budget, agent.Status?.Conditions);
        }

        var window = BudgetDays.Window(bucket, budget, now);
        var usage = await state.ReadAsync(bucket, window.Start, cancellationToken);
        var body = UsageStatus.ApplyBody(kind, bucket.Namespace, name, window, usage, conditions, now);
        var path = kind == Agent.KubeKind ? GatewayKinds.Agents.ObjectPath(bucket.Namespace, name) : GatewayKinds.Schedules.ObjectPath(bucket.Namespace, name);
        try
        {
            await client.SendJsonAsync(HttpMethod.Patch, path + $"/status?fieldManager={FieldManager}&force=true", body, "application/apply-patch+yaml", cancellationToken);
            Interlocked.Increment(ref _writes);
            GatewayMetrics.StatusWrites.WithLabels(kind, "written").Inc();
            _written[bucket] = new Written(now, window.End);
            return true;
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            _written.TryRemove(bucket, out _);
            return true;
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            GatewayMetrics.StatusWrites.WithLabels(kind, "failed").Inc();
            GatewayLog.StatusWriteFailed(logger, kind, bucket.Namespace, name, e.Message);
            _written[bucket] = new Written(now, window.End);
            return false;
        }
    }

    /// <summary>When a bucket was last written, and when the day it showed ends.</summary>
    private sealed record Written(DateTimeOffset At, DateTimeOffset WindowEnd);
}
