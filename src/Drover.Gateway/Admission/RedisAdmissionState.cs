using System.Collections.Concurrent;
using System.Globalization;
using Drover.Api.V1Alpha1;
using StackExchange.Redis;

namespace Drover.Gateway.Admission;

/// <summary>
/// The admission state of every replica, kept in Redis: each decision is one Lua script (<see cref="RedisScripts"/>),
/// so N replicas admit exactly what one would. Reservations and concurrency slots are leases: this replica renews the
/// ones it holds every third of the lease, and a crashed replica's run out, giving their room back.
/// Times come from the TimeProvider given (replicas' clocks are NTP-synchronised in any cluster; a bucket never
/// refills backwards). Every method throws (<see cref="RedisException"/>, <see cref="RedisTimeoutException"/>) when
/// Redis cannot answer; what to do then is <see cref="SharedAdmissionState"/>'s business.
/// </summary>
internal sealed class RedisAdmissionState : IAdmissionState, IAsyncDisposable
{
    public const string DefaultPrefix = "drover:gateway:";

    /// <summary>How long a reservation or slot of a replica that stopped renewing it (crashed, cut off) holds its room.</summary>
    public static readonly TimeSpan DefaultLease = TimeSpan.FromSeconds(30);
    private const decimal NanosPerDollar = 1_000_000_000m;

    // Provider state lives this long past its last use; a minute's bucket is full again long before.
    private static readonly TimeSpan ProviderKeyLifetime = TimeSpan.FromMinutes(10);

    // How often a request waiting for a concurrency slot asks again (a release elsewhere sends no signal).
    private static readonly TimeSpan SlotPoll = TimeSpan.FromMilliseconds(20);

    private readonly IConnectionMultiplexer _redis;
    private readonly bool _ownsConnection;
    private int _disposed;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lease;
    private readonly string _prefix;
    private readonly ConcurrentDictionary<string, RedisKey[]> _tickets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RedisKey> _slots = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewing;

    public RedisAdmissionState(IConnectionMultiplexer redis, TimeProvider time, TimeSpan lease, string prefix = DefaultPrefix, bool ownsConnection = false)
    {
        _redis = redis;
        _ownsConnection = ownsConnection;
        _time = time;
        _lease = lease;
        _prefix = prefix;
        _renewing = RenewAsync(_stop.Token);
    }

    /// <summary>Reservations and slots this replica holds and renews.</summary>
    public int HeldLeases => _tickets.Count + _slots.Count;

    private IDatabase Db => _redis.GetDatabase();

    public async ValueTask<BudgetDecision> ReserveAsync(IReadOnlyList<BudgetWindow> windows, Reservation reservation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(windows);
        var now = Now();
        var id = Guid.NewGuid().ToString("N");
        var keys = new RedisKey[windows.Count * 3];
        var leases = new RedisKey[windows.Count];
        var args = new RedisValue[5 + (windows.Count * 3)];
        args[0] = now;
        args[1] = id;
        args[2] = reservation.Tokens;
        args[3] = Nanos(reservation.Cost);
        args[4] = now + (long)_lease.TotalMilliseconds;
        for (var i = 0; i < windows.Count; i++)
        {
            var window = WindowKey(windows[i].Bucket, windows[i].Start);
            keys[i * 3] = window;
            keys[(i * 3) + 1] = window + ":t";
            keys[(i * 3) + 2] = leases[i] = window + ":x";
            args[5 + (i * 3)] = windows[i].TokenLimit ?? -1;
            args[6 + (i * 3)] = windows[i].CostLimit is { } cost ? Nanos(cost) : -1;
            args[7 + (i * 3)] = KeepUntil(windows[i].End);
        }

        var exhausted = (long)await Db.ScriptEvaluateAsync(RedisScripts.Reserve, keys, args);
        if (exhausted > 0)
        {
            return new BudgetDecision(null, windows[(int)exhausted - 1]);
        }

        _tickets[id] = leases;
        return new BudgetDecision(new BudgetTicket(id, windows, reservation), null);
    }

    public async ValueTask<IReadOnlyList<BudgetCrossing>> SettleAsync(BudgetTicket ticket, UsageCharge charge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        return (await ChargeAsync(ticket.Id, ticket.Windows, charge)).Crossings;
    }

    /// <summary>
    /// Settles ticket <paramref name="id"/> (or charges a charge counted while Redis could not be reached, under the id
    /// of its ticket) in <paramref name="windows"/>: each window takes it at most once whatever the retries. Returns the
    /// thresholds crossed and each window's totals after the charge (what every replica has counted).
    /// </summary>
    public async Task<(IReadOnlyList<BudgetCrossing> Crossings, IReadOnlyList<WindowUsage> Totals)> ChargeAsync(string id, IReadOnlyList<BudgetWindow> windows, UsageCharge charge)
    {
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentNullException.ThrowIfNull(charge);
        var keys = new RedisKey[windows.Count * 5];
        var args = new RedisValue[8 + (windows.Count * 3)];
        args[0] = id;
        ChargeArgs(charge, args, 1);
        for (var i = 0; i < windows.Count; i++)
        {
            var window = WindowKey(windows[i].Bucket, windows[i].Start);
            keys[i * 5] = window;
            keys[(i * 5) + 1] = window + ":t";
            keys[(i * 5) + 2] = window + ":x";
            keys[(i * 5) + 3] = window + ":m";
            keys[(i * 5) + 4] = window + ":d";
            args[8 + (i * 3)] = windows[i].TokenLimit ?? -1;
            args[9 + (i * 3)] = windows[i].CostLimit is { } cost ? Nanos(cost) : -1;
            args[10 + (i * 3)] = KeepUntil(windows[i].End);
        }

        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(RedisScripts.Settle, keys, args))!;
        _tickets.TryRemove(id, out _);
        var crossings = new List<BudgetCrossing>();
        var totals = new List<WindowUsage>(windows.Count);
        for (var i = 0; i < windows.Count; i++)
        {
            var mask = (long)result[i * 8];
            var total = new WindowUsage(
                new TokenCounts((long)result[(i * 8) + 1], (long)result[(i * 8) + 2], (long)result[(i * 8) + 3], (long)result[(i * 8) + 4]),
                (long)result[(i * 8) + 5],
                (long)result[(i * 8) + 6],
                Dollars((long)result[(i * 8) + 7]),
                []);
            totals.Add(total);
            if (mask > 0 && (mask & 1) != 0)
            {
                crossings.Add(new BudgetCrossing(windows[i], 80, total));
            }

            if (mask > 0 && (mask & 2) != 0)
            {
                crossings.Add(new BudgetCrossing(windows[i], 100, total));
            }
        }

        return (crossings, totals);
    }

    /// <summary>Answers when Redis does; throws otherwise.</summary>
    public Task PingAsync() => Db.PingAsync();

    public async ValueTask<WindowUsage> ReadAsync(BucketKey bucket, DateTimeOffset windowStart, CancellationToken cancellationToken)
    {
        var window = WindowKey(bucket, windowStart);
        var db = Db;
        var totalsTask = db.HashGetAllAsync(window);
        var modelsTask = db.HashGetAllAsync(window + ":m");
        var totals = (await totalsTask).ToDictionary(e => (string)e.Name!, e => (long)e.Value, StringComparer.Ordinal);
        var models = new Dictionary<(string, string), Dictionary<string, long>>();
        foreach (var entry in await modelsTask)
        {
            var parts = ((string)entry.Name!).Split('\u001f');
            if (parts.Length != 3)
            {
                continue;
            }

            if (!models.TryGetValue((parts[0], parts[1]), out var fields))
            {
                models[(parts[0], parts[1])] = fields = new Dictionary<string, long>(StringComparer.Ordinal);
            }

            fields[parts[2]] = (long)entry.Value;
        }

        long Get(Dictionary<string, long> from, string name) => from.TryGetValue(name, out var value) ? value : 0;
        return new WindowUsage(
            new TokenCounts(Get(totals, "in"), Get(totals, "out"), Get(totals, "cin"), Get(totals, "rsn")),
            Get(totals, "req"),
            Get(totals, "fail"),
            Dollars(Get(totals, "cost")),
            [.. models
                .Select(m => new ModelUsageCounts(
                    m.Key.Item1,
                    m.Key.Item2,
                    new TokenCounts(Get(m.Value, "in"), Get(m.Value, "out"), Get(m.Value, "cin"), Get(m.Value, "rsn")),
                    Get(m.Value, "req"),
                    Dollars(Get(m.Value, "cost"))))
                .OrderBy(m => m.Provider, StringComparer.Ordinal)
                .ThenBy(m => m.Model, StringComparer.Ordinal)]);
    }

    public async ValueTask RestoreAsync(BucketKey bucket, DateTimeOffset windowStart, WindowUsage usage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var window = WindowKey(bucket, windowStart);
        var args = new List<RedisValue>
        {
            usage.Tokens.Input, usage.Tokens.Output, usage.Tokens.CachedInput, usage.Tokens.Reasoning,
            usage.Requests, usage.FailedRequests, Nanos(usage.Cost), KeepUntil(windowStart.AddDays(1)),
        };
        foreach (var model in usage.ByModel)
        {
            args.AddRange(
            [
                model.Provider + "\u001f" + model.Model, model.Tokens.Input, model.Tokens.Output, model.Tokens.CachedInput,
                model.Tokens.Reasoning, model.Requests, Nanos(model.Cost),
            ]);
        }

        await Db.ScriptEvaluateAsync(RedisScripts.Restore, [window, window + ":m"], [.. args]);
    }

    public async ValueTask<ProviderPermit> AcquireAsync(string provider, ProviderLimits? limits, long tokens, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var started = _time.GetTimestamp();
        var slot = limits?.MaxConcurrentRequests is not null ? Guid.NewGuid().ToString("N") : "";
        var (key, slots) = ProviderKeys(provider);
        while (true)
        {
            var now = Now();
            var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
                RedisScripts.Acquire,
                [key, slots],
                [
                    now, limits?.RequestsPerMinute ?? -1, limits?.TokensPerMinute ?? -1, limits?.MaxConcurrentRequests ?? -1, tokens, slot,
                    now + (long)_lease.TotalMilliseconds, (long)ProviderKeyLifetime.TotalMilliseconds,
                ]))!;
            var reason = (ProviderLimitReason)(int)(long)result[0];
            var wait = TimeSpan.FromMilliseconds((long)result[1]);
            if (reason == ProviderLimitReason.None)
            {
                if (slot.Length > 0)
                {
                    _slots[slot] = slots;
                }

                return new ProviderPermit(provider, true, tokens, slot.Length > 0, ProviderLimitReason.None, null, _time.GetElapsedTime(started))
                {
                    Slot = slot.Length > 0 ? slot : null,
                    Shared = true,
                };
            }

            var remaining = maxWait - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero || (reason != ProviderLimitReason.Concurrency && wait > remaining))
            {
                return ProviderPermit.Refused(provider, reason, reason == ProviderLimitReason.Concurrency ? null : wait, _time.GetElapsedTime(started)) with { Shared = true };
            }

            await Task.Delay(reason == ProviderLimitReason.Concurrency ? Min(remaining, SlotPoll) : wait, _time, cancellationToken);
        }
    }

    public async ValueTask ReleaseAsync(ProviderPermit permit, long actualTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(permit);
        if (!permit.Granted)
        {
            return;
        }

        if (permit.Slot is { } slot)
        {
            _slots.TryRemove(slot, out _);
        }

        var (key, slots) = ProviderKeys(permit.Provider);
        await Db.ScriptEvaluateAsync(RedisScripts.Release, [key, slots], [permit.Slot ?? "", actualTokens - permit.Tokens]);
    }

    public async ValueTask CoolDownAsync(string provider, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var (key, _) = ProviderKeys(provider);
        var lifetime = until - _time.GetUtcNow() + ProviderKeyLifetime;
        await Db.ScriptEvaluateAsync(RedisScripts.CoolDown, [key], [until.ToUnixTimeMilliseconds(), (long)Math.Max(1, lifetime.TotalMilliseconds)]);
    }

    /// <summary>Stops renewing; what this replica still holds runs out with its lease, as if it had crashed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        try
        {
            await _renewing;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        if (_ownsConnection)
        {
            await _redis.DisposeAsync();
        }
    }

    /// <summary>Forgets a slot's lease without releasing it (Redis is out of reach), so it runs out.</summary>
    public void Forget(ProviderPermit permit)
    {
        ArgumentNullException.ThrowIfNull(permit);
        if (permit.Slot is { } slot)
        {
            _slots.TryRemove(slot, out _);
        }
    }

    /// <summary>Forgets a ticket's lease without settling it (its settle will be replayed later), so it is not renewed meanwhile.</summary>
    public void Abandon(BudgetTicket ticket) => _tickets.TryRemove(ticket.Id, out _);

    /// <summary>Renews every lease this replica holds, every third of the lease; a failed round is retried on the next.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "Renewal must outlive a Redis outage; the next round retries.")]
    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        var every = _lease / 3;
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(every, _time, cancellationToken);
            var expiry = Now() + (long)_lease.TotalMilliseconds;
            var db = Db;
            var renewals = new List<Task>();
            foreach (var (id, leases) in _tickets)
            {
                renewals.Add(db.ScriptEvaluateAsync(RedisScripts.Renew, leases, [expiry, .. leases.Select(_ => (RedisValue)id)]));
            }

            foreach (var (slot, key) in _slots)
            {
                renewals.Add(db.ScriptEvaluateAsync(RedisScripts.Renew, [key], [expiry, slot]));
            }

            try
            {
                await Task.WhenAll(renewals);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private string WindowKey(BucketKey bucket, DateTimeOffset start)
    {
        var key = string.Create(CultureInfo.InvariantCulture, $"{_prefix}{{{bucket.Namespace}/{bucket.Agent}}}:{start.ToUnixTimeSeconds()}");
        return bucket.Schedule is { } schedule ? key + ":s:" + schedule : key;
    }

    private (string Key, string Slots) ProviderKeys(string provider)
    {
        var key = $"{_prefix}{{p:{provider}}}";
        return (key, key + ":c");
    }

    private static void ChargeArgs(UsageCharge charge, RedisValue[] args, int at)
    {
        args[at] = charge.Tokens.Input;
        args[at + 1] = charge.Tokens.Output;
        args[at + 2] = charge.Tokens.CachedInput;
        args[at + 3] = charge.Tokens.Reasoning;
        args[at + 4] = Nanos(charge.Cost);
        args[at + 5] = charge.Succeeded ? 1 : 0;
        args[at + 6] = charge.Provider is { } provider && charge.Model is { } model ? provider + "\u001f" + model : "";
    }

    // Windows are kept a day past their end, for status writes that trail the midnight.
    private static long KeepUntil(DateTimeOffset windowEnd) => windowEnd.AddDays(1).ToUnixTimeSeconds();

    private static long Nanos(decimal dollars) => (long)Math.Round(dollars * NanosPerDollar, MidpointRounding.AwayFromZero);

    private static decimal Dollars(long nanos) => nanos / NanosPerDollar;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
