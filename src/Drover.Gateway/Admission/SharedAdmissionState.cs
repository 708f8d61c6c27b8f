using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Drover.Api.V1Alpha1;
using Drover.Gateway.Telemetry;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Drover.Gateway.Admission;

/// <summary>
/// Admission state shared by every replica through Redis, that keeps serving when Redis cannot be reached.
/// <para>
/// While Redis answers, every decision is <see cref="RedisAdmissionState"/>'s, so N replicas admit what one would. The
/// first call that fails switches this replica to its own memory (a warning log line, <c>drover_gateway_redis_up</c> 0,
/// <c>drover_gateway_redis_fallbacks_total</c> + 1), and it asks Redis again every <c>probe</c> interval, never on a
/// request's path. Meanwhile each replica admits its share, so all of them together stay near what one would:
/// a budget window gets (limit − the spending last seen in Redis) ÷ replicas on top of what the replica charges in the
/// outage, and a provider's requestsPerMinute, tokensPerMinute and maxConcurrentRequests are each divided by the
/// replicas (rounded up, at least 1). Cooldowns are kept in memory too. Budgets and limits stay closed: nothing is
/// admitted past a share; what fails open is only what the other replicas did in the outage, which no replica sees.
/// </para>
/// <para>
/// Reconciling, when Redis answers again and before this replica uses it: (1) each window's totals this replica last
/// saw are written back where Redis holds less (so a Redis that restarted empty gets back at least the largest counts
/// this replica saw); (2) every charge settled in the outage, each under its ticket's id, is applied once (Redis
/// remembers applied ids per window, so a retry or a charge Redis had already taken before its reply was lost is not
/// counted twice). With a Redis that kept its data, the windows then hold exactly what was used, across replicas.
/// Reservations and concurrency slots held in Redis by requests that ended in the outage are not given back by hand:
/// this replica stops renewing them and their lease runs out.
/// </para>
/// </summary>
internal sealed class SharedAdmissionState : IAdmissionState, IAsyncDisposable
{
    /// <summary>How often a replica in fallback asks whether Redis is back.</summary>
    public static readonly TimeSpan DefaultProbe = TimeSpan.FromSeconds(1);

    private readonly RedisAdmissionState _redis;
    private readonly int _replicas;
    private readonly TimeProvider _time;
    private readonly TimeSpan _probe;
    private readonly ILogger _logger;
    private readonly RedisDiagnosis? _diagnosis;
    private readonly InMemoryAdmissionState _providers;
    private readonly ConcurrentDictionary<(BucketKey, DateTimeOffset), WindowUsage> _seen = new();
    private readonly ConcurrentDictionary<string, (InMemoryAdmissionState State, BudgetTicket Ticket)> _localTickets = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<PendingCharge> _pending = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private readonly Lock _switch = new();
    private readonly CancellationTokenSource _stop = new();
    private InMemoryAdmissionState _outage;
    private readonly Task _checking;
    private Task _probing = Task.CompletedTask;
    private volatile bool _shared = true;

    /// <param name="redis">The shared state while Redis answers.</param>
    /// <param name="replicas">How many replicas share Redis: each admits this share while it is out.</param>
    /// <param name="time">The admission clock.</param>
    /// <param name="probe">How often to ask Redis again while it is out.</param>
    /// <param name="logger">Where the fall back and the reconcile are said.</param>
    /// <param name="diagnosis">Finds why Redis is out, for the log line; without it the line has StackExchange.Redis's message.</param>
    public SharedAdmissionState(RedisAdmissionState redis, int replicas, TimeProvider time, TimeSpan probe, ILogger logger, RedisDiagnosis? diagnosis = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        _redis = redis;
        _replicas = replicas;
        _time = time;
        _probe = probe;
        _logger = logger;
        _diagnosis = diagnosis;
        _providers = new InMemoryAdmissionState(time);
        _outage = new InMemoryAdmissionState(time);
        GatewayMetrics.RedisUp.Set(1);
        _checking = Task.Run(CheckAsync, CancellationToken.None);
    }

    /// <summary>Whether decisions are Redis's (true) or this replica's alone (false).</summary>
    public bool Shared => _shared;

    /// <summary>Charges settled while Redis could not be reached, not yet applied to it.</summary>
    public int PendingCharges => _pending.Count;

    public async ValueTask<BudgetDecision> ReserveAsync(IReadOnlyList<BudgetWindow> windows, Reservation reservation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (_shared)
        {
            try
            {
                return await _redis.ReserveAsync(windows, reservation, cancellationToken);
            }
            catch (Exception e) when (IsOutage(e))
            {
                FallBack(e);
            }
        }

        var outage = _outage;
        var shares = windows.Select(Share).ToList();
        var decision = await outage.ReserveAsync(shares, reservation, cancellationToken);
        if (decision.Ticket is not { } local)
        {
            return new BudgetDecision(null, windows[shares.IndexOf(decision.ExhaustedWindow!)]);
        }

        var id = "o" + Guid.NewGuid().ToString("N");
        _localTickets[id] = (outage, local);
        return new BudgetDecision(new BudgetTicket(id, windows, reservation), null);
    }

    public async ValueTask<IReadOnlyList<BudgetCrossing>> SettleAsync(BudgetTicket ticket, UsageCharge charge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        ArgumentNullException.ThrowIfNull(charge);
        if (_localTickets.TryRemove(ticket.Id, out var local))
        {
            await local.State.SettleAsync(local.Ticket, charge, cancellationToken);
            return await QueueAsync(ticket, charge, local.State, cancellationToken);
        }

        if (_shared)
        {
            try
            {
                var (crossings, totals) = await _redis.ChargeAsync(ticket.Id, ticket.Windows, charge);
                for (var i = 0; i < totals.Count; i++)
                {
                    Saw(ticket.Windows[i].Bucket, ticket.Windows[i].Start, totals[i]);
                }

                return crossings;
            }
            catch (Exception e) when (IsOutage(e))
            {
                FallBack(e);
            }
        }

        // Reserved in Redis, ended in the outage: its reservation runs out with its lease; its charge is counted here
        // (with no limit, it was admitted already) and applied to Redis when it returns.
        _redis.Abandon(ticket);
        var outage = _outage;
        var unlimited = ticket.Windows.Select(w => w with { TokenLimit = null, CostLimit = null }).ToList();
        var held = (await outage.ReserveAsync(unlimited, default, cancellationToken)).Ticket!;
        await outage.SettleAsync(held, charge, cancellationToken);
        return await QueueAsync(ticket, charge, outage, cancellationToken);
    }

    public async ValueTask<WindowUsage> ReadAsync(BucketKey bucket, DateTimeOffset windowStart, CancellationToken cancellationToken)
    {
        if (_shared)
        {
            try
            {
                var usage = await _redis.ReadAsync(bucket, windowStart, cancellationToken);
                Saw(bucket, windowStart, usage);
                return usage;
            }
            catch (Exception e) when (IsOutage(e))
            {
                FallBack(e);
            }
        }

        return UsageArithmetic.Plus(Seen(bucket, windowStart), await _outage.ReadAsync(bucket, windowStart, cancellationToken));
    }

    public async ValueTask RestoreAsync(BucketKey bucket, DateTimeOffset windowStart, WindowUsage usage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(usage);

        // What was seen is written back on reconciling, so a restore in an outage is not lost.
        Saw(bucket, windowStart, usage);
        if (_shared)
        {
            try
            {
                await _redis.RestoreAsync(bucket, windowStart, usage, cancellationToken);
            }
            catch (Exception e) when (IsOutage(e))
            {
                FallBack(e);
            }
        }
    }

    public async ValueTask<ProviderPermit> AcquireAsync(string provider, ProviderLimits? limits, long tokens, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        if (_shared)
        {
            try
            {
                return await _redis.AcquireAsync(provider, limits, tokens, maxWait, cancellationToken);
            }
            catch (Exception e) when (IsOutage(e))
            {
                FallBack(e);
            }
        }

        return await _providers.AcquireAsync(provider, Share(limits), tokens, maxWait, cancellationToken);
    }

    public async ValueTask ReleaseAsync(ProviderPermit permit, long actualTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(permit);
        if (!permit.Shared)
        {
            await _providers.ReleaseAsync(permit, actualTokens, cancellationToken);
            return;
        }

        // A slot taken in Redis but released in an outage is not renewed any more; its lease runs out.
        if (_shared)
        {
            try
            {
                await _redis.ReleaseAsync(permit, actualTokens, cancellationToken);
            }
            catch (Exception e) when (IsOutage(e))
            {
                FallBack(e);
            }
        }
        else if (permit.Slot is not null)
        {
            _redis.Forget(permit);
        }
    }

    public async ValueTask CoolDownAsync(string provider, DateTimeOffset until, CancellationToken cancellationToken)
    {
        // Kept here as well, so an outage that starts now does not forget it.
        await _providers.CoolDownAsync(provider, until, cancellationToken);
        if (_shared)
        {
            try
            {
                await _redis.CoolDownAsync(provider, until, cancellationToken);
            }
            catch (Exception e) when (IsOutage(e))
            {
                FallBack(e);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _checking;
        try
        {
            await _probing;
        }
        catch (OperationCanceledException)
        {
        }

        await _redis.DisposeAsync();
        _stop.Dispose();
        _flushing.Dispose();
    }

    private static bool IsOutage(Exception e) => e is RedisException or RedisTimeoutException;

    /// <summary>
    /// Asks Redis once at start, so a Redis that is down or refuses this gateway (a wrong password, a certificate it
    /// does not trust) shows in the log and in <c>drover_gateway_redis_up</c> at once, not at the first call.
    /// </summary>
    private async Task CheckAsync()
    {
        try
        {
            await _redis.PingAsync();
        }
        catch (Exception e) when (IsOutage(e) && !_stop.IsCancellationRequested)
        {
            FallBack(e);
        }
        catch (Exception e) when (IsOutage(e) || e is ObjectDisposedException)
        {
            // Stopped before Redis answered: nothing to report.
        }
    }

    /// <summary>A window as this replica may fill it in an outage: its share of the room left when Redis was last seen.</summary>
    private BudgetWindow Share(BudgetWindow window)
    {
        var seen = Seen(window.Bucket, window.Start);
        return window with
        {
            TokenLimit = window.TokenLimit is { } tokens ? Math.Max(0, tokens - seen.Tokens.Total) / _replicas : null,
            CostLimit = window.CostLimit is { } cost ? Math.Max(0m, cost - seen.Cost) / _replicas : null,
        };
    }

    private ProviderLimits? Share(ProviderLimits? limits) => limits is null || _replicas == 1
        ? limits
        : new ProviderLimits
        {
            RequestsPerMinute = limits.RequestsPerMinute is { } rpm ? Math.Max(1, (rpm + _replicas - 1) / _replicas) : null,
            TokensPerMinute = limits.TokensPerMinute is { } tpm ? Math.Max(1, (tpm + _replicas - 1) / _replicas) : null,
            MaxConcurrentRequests = limits.MaxConcurrentRequests is { } max ? Math.Max(1, (max + _replicas - 1) / _replicas) : null,
        };

    private WindowUsage Seen(BucketKey bucket, DateTimeOffset start) => _seen.TryGetValue((bucket, start), out var seen) ? seen : WindowUsage.Empty;

    private void Saw(BucketKey bucket, DateTimeOffset start, WindowUsage usage)
    {
        if (_seen.TryAdd((bucket, start), usage))
        {
            // A new window (once per bucket a day): forget the ones past, which no request and no status write asks for.
            var old = _time.GetUtcNow().AddDays(-2);
            foreach (var key in _seen.Keys.Where(k => k.Item2 < old))
            {
                _seen.TryRemove(key, out _);
            }

            return;
        }

        _seen.AddOrUpdate((bucket, start), usage, (_, held) => UsageArithmetic.Larger(held, usage));
    }

    /// <summary>
    /// Queues a charge counted in memory for Redis, applied at once when Redis is back already. The thresholds it
    /// crossed are judged by what this replica knows: the spending last seen in Redis plus what it counted since.
    /// </summary>
    private async Task<IReadOnlyList<BudgetCrossing>> QueueAsync(BudgetTicket ticket, UsageCharge charge, InMemoryAdmissionState counted, CancellationToken cancellationToken)
    {
        _pending.Enqueue(new PendingCharge(ticket.Id, ticket.Windows, charge));
        GatewayMetrics.RedisPendingCharges.Set(_pending.Count);
        var crossings = new List<BudgetCrossing>();
        foreach (var window in ticket.Windows)
        {
            var after = UsageArithmetic.Plus(Seen(window.Bucket, window.Start), await counted.ReadAsync(window.Bucket, window.Start, cancellationToken));
            var before = after with { Tokens = new TokenCounts(after.Tokens.Input - charge.Tokens.Input, after.Tokens.Output - charge.Tokens.Output, 0, 0), Cost = after.Cost - charge.Cost };
            foreach (var percent in (ReadOnlySpan<int>)[80, 100])
            {
                if (UsageArithmetic.Percent(window, before) < percent && UsageArithmetic.Percent(window, after) >= percent)
                {
                    crossings.Add(new BudgetCrossing(window, percent, after));
                }
            }
        }

        if (_shared)
        {
            try
            {
                await FlushAsync();
            }
            catch (Exception e) when (IsOutage(e))
            {
                FallBack(e);
            }
        }

        return crossings;
    }

    private void FallBack(Exception e)
    {
        lock (_switch)
        {
            if (!_shared)
            {
                return;
            }

            _outage = new InMemoryAdmissionState(_time);
            _shared = false;
            _probing = Task.Run(() => ProbeAsync(e, _stop.Token), CancellationToken.None);
        }

        GatewayMetrics.RedisUp.Set(0);
        GatewayMetrics.RedisFallbacks.Inc();
    }

    /// <summary>
    /// Says why Redis is out (the log line of the fall back, written once the diagnosis is in, within the connect and
    /// command timeouts), then asks Redis every probe interval until it answers, reconciles, and hands decisions back.
    /// </summary>
    [SuppressMessage("Design", "CA1031", Justification = "Any failure means Redis is still out; the next probe retries.")]
    private async Task ProbeAsync(Exception failure, CancellationToken cancellationToken)
    {
        string cause;
        try
        {
            cause = _diagnosis is null ? failure.Message : await _diagnosis.ExplainAsync(failure, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            cause = $"{failure.Message} (finding why failed too: {e.Message})";
        }
        catch (OperationCanceledException)
        {
            cause = failure.Message;
        }

        GatewayLog.RedisUnreachable(_logger, _replicas, cause);
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(_probe, _time, cancellationToken);
            int restored = 0, applied;
            try
            {
                await _redis.PingAsync();
                foreach (var ((bucket, start), usage) in _seen)
                {
                    await _redis.RestoreAsync(bucket, start, usage, cancellationToken);
                    restored++;
                }

                applied = await FlushAsync();
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                GatewayLog.RedisStillUnreachable(_logger, e.Message);
                continue;
            }

            lock (_switch)
            {
                _shared = true;
            }

            GatewayMetrics.RedisUp.Set(1);
            GatewayLog.RedisReconciled(_logger, restored, applied);
            try
            {
                // Charges queued between the flush and the switch; later ones are flushed by their own settle.
                await FlushAsync();
            }
            catch (Exception e) when (IsOutage(e))
            {
                FallBack(e);
            }

            return;
        }
    }

    /// <summary>Applies the queued charges in order, each once; stops at the first failure (it stays queued).</summary>
    private async Task<int> FlushAsync()
    {
        await _flushing.WaitAsync();
        try
        {
            var applied = 0;
            while (_pending.TryPeek(out var charge))
            {
                var (_, totals) = await _redis.ChargeAsync(charge.Id, charge.Windows, charge.Charge);
                for (var i = 0; i < totals.Count; i++)
                {
                    Saw(charge.Windows[i].Bucket, charge.Windows[i].Start, totals[i]);
                }

                _pending.TryDequeue(out _);
                GatewayMetrics.RedisPendingCharges.Set(_pending.Count);
                GatewayMetrics.RedisReconciledCharges.Inc();
                applied++;
            }

            return applied;
        }
        finally
        {
            _flushing.Release();
        }
    }

    private sealed record PendingCharge(string Id, IReadOnlyList<BudgetWindow> Windows, UsageCharge Charge);
}

/// <summary>Sums and maxima of window usage, for a replica that adds what it counted alone to what it last saw shared.</summary>
internal static class UsageArithmetic
{
    public static WindowUsage Plus(WindowUsage a, WindowUsage b)
    {
        var models = a.ByModel.ToDictionary(m => (m.Provider, m.Model));
        foreach (var m in b.ByModel)
        {
            models[(m.Provider, m.Model)] = models.TryGetValue((m.Provider, m.Model), out var held)
                ? held with { Tokens = held.Tokens + m.Tokens, Requests = held.Requests + m.Requests, Cost = held.Cost + m.Cost }
                : m;
        }

        return new WindowUsage(a.Tokens + b.Tokens, a.Requests + b.Requests, a.FailedRequests + b.FailedRequests, a.Cost + b.Cost, Ordered(models.Values));
    }

    /// <summary>Field by field the larger (each only grows in a window); per model the entry with more use.</summary>
    public static WindowUsage Larger(WindowUsage a, WindowUsage b)
    {
        var models = a.ByModel.ToDictionary(m => (m.Provider, m.Model));
        foreach (var m in b.ByModel)
        {
            if (!models.TryGetValue((m.Provider, m.Model), out var held) || held.Tokens.Total + held.Requests < m.Tokens.Total + m.Requests)
            {
                models[(m.Provider, m.Model)] = m;
            }
        }

        return new WindowUsage(
            new TokenCounts(
                Math.Max(a.Tokens.Input, b.Tokens.Input),
                Math.Max(a.Tokens.Output, b.Tokens.Output),
                Math.Max(a.Tokens.CachedInput, b.Tokens.CachedInput),
                Math.Max(a.Tokens.Reasoning, b.Tokens.Reasoning)),
            Math.Max(a.Requests, b.Requests),
            Math.Max(a.FailedRequests, b.FailedRequests),
            Math.Max(a.Cost, b.Cost),
            Ordered(models.Values));
    }

    /// <summary>Percent of the tighter limit spent; 0 for a window without limits.</summary>
    public static decimal Percent(BudgetWindow window, WindowUsage usage)
    {
        var spent = 0m;
        if (window.TokenLimit is { } tokens and > 0)
        {
            spent = Math.Max(spent, usage.Tokens.Total * 100m / tokens);
        }

        if (window.CostLimit is { } cost and > 0m)
        {
            spent = Math.Max(spent, usage.Cost * 100m / cost);
        }

        return spent;
    }

    private static ModelUsageCounts[] Ordered(IEnumerable<ModelUsageCounts> models) =>
        [.. models.OrderBy(m => m.Provider, StringComparer.Ordinal).ThenBy(m => m.Model, StringComparer.Ordinal)];
}
