using System.Globalization;
using Drover.Api.V1Alpha1;

namespace Drover.Gateway.Admission;

/// <summary>
/// The admission state of a single replica, in memory. Budget operations take one lock, so a reservation is checked
/// and taken as one step; provider limits are token buckets refilled continuously (a full minute's worth at most),
/// and waiters wake when a slot is released or when the bucket will have refilled enough.
/// </summary>
internal sealed class InMemoryAdmissionState(TimeProvider time) : IAdmissionState
{
    private readonly Lock _budgetLock = new();
    private readonly Dictionary<(BucketKey, DateTimeOffset), WindowCounts> _windows = [];
    private readonly Dictionary<string, Reservation> _tickets = new(StringComparer.Ordinal);
    private readonly Lock _providerLock = new();
    private readonly Dictionary<string, ProviderState> _providers = new(StringComparer.Ordinal);
    private long _nextTicket;

    public ValueTask<BudgetDecision> ReserveAsync(IReadOnlyList<BudgetWindow> windows, Reservation reservation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(windows);
        lock (_budgetLock)
        {
            ForgetOldWindows();
            foreach (var window in windows)
            {
                var counts = Counts(window);
                if ((window.TokenLimit is { } tokens && counts.Tokens.Total + counts.ReservedTokens >= tokens)
                    || (window.CostLimit is { } cost && counts.Cost + counts.ReservedCost >= cost))
                {
                    return ValueTask.FromResult(new BudgetDecision(null, window));
                }
            }

            foreach (var window in windows)
            {
                var counts = Counts(window);
                counts.ReservedTokens += reservation.Tokens;
                counts.ReservedCost += reservation.Cost;
            }

            var id = (++_nextTicket).ToString(CultureInfo.InvariantCulture);
            _tickets[id] = reservation;
            return ValueTask.FromResult(new BudgetDecision(new BudgetTicket(id, windows, reservation), null));
        }
    }

    public ValueTask<IReadOnlyList<BudgetCrossing>> SettleAsync(BudgetTicket ticket, UsageCharge charge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        ArgumentNullException.ThrowIfNull(charge);
        var crossings = new List<BudgetCrossing>();
        lock (_budgetLock)
        {
            // A ticket settles once; a second settle (or one for a forgotten window) charges nothing.
            if (!_tickets.Remove(ticket.Id))
            {
                return ValueTask.FromResult<IReadOnlyList<BudgetCrossing>>(crossings);
            }

            foreach (var window in ticket.Windows)
            {
                var counts = Counts(window);
                counts.ReservedTokens = Math.Max(0, counts.ReservedTokens - ticket.Reservation.Tokens);
                counts.ReservedCost = Math.Max(0m, counts.ReservedCost - ticket.Reservation.Cost);
                var before = Spent(window, counts);
                counts.Add(charge);
                var after = Spent(window, counts);
                foreach (var percent in (ReadOnlySpan<int>)[80, 100])
                {
                    if (before < percent && after >= percent)
                    {
                        crossings.Add(new BudgetCrossing(window, percent, counts.Snapshot()));
                    }
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyList<BudgetCrossing>>(crossings);
    }

    public ValueTask<WindowUsage> ReadAsync(BucketKey bucket, DateTimeOffset windowStart, CancellationToken cancellationToken)
    {
        lock (_budgetLock)
        {
            return ValueTask.FromResult(_windows.TryGetValue((bucket, windowStart), out var counts) ? counts.Snapshot() : WindowUsage.Empty);
        }
    }

    public ValueTask RestoreAsync(BucketKey bucket, DateTimeOffset windowStart, WindowUsage usage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(usage);
        lock (_budgetLock)
        {
            if (!_windows.TryGetValue((bucket, windowStart), out var counts))
            {
                counts = new WindowCounts(windowStart.AddDays(2));
                _windows[(bucket, windowStart)] = counts;
            }

            counts.KeepLarger(usage);
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask<ProviderPermit> AcquireAsync(string provider, ProviderLimits? limits, long tokens, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var started = time.GetTimestamp();
        while (true)
        {
            Task released;
            TimeSpan wait;
            ProviderLimitReason reason;
            lock (_providerLock)
            {
                if (!_providers.TryGetValue(provider, out var state))
                {
                    state = new ProviderState(time.GetUtcNow());
                    _providers[provider] = state;
                }

                (reason, wait) = state.TryTake(limits, tokens, time.GetUtcNow());
                if (reason == ProviderLimitReason.None)
                {
                    return new ProviderPermit(provider, true, tokens, limits?.MaxConcurrentRequests is not null, ProviderLimitReason.None, null, time.GetElapsedTime(started));
                }

                released = state.Released.Task;
            }

            var remaining = maxWait - time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero || (reason != ProviderLimitReason.Concurrency && wait > remaining))
            {
                return ProviderPermit.Refused(provider, reason, reason == ProviderLimitReason.Concurrency ? null : wait, time.GetElapsedTime(started));
            }

            var delay = reason == ProviderLimitReason.Concurrency ? remaining : wait;
            await Task.WhenAny(released, Task.Delay(delay, time, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    public ValueTask ReleaseAsync(ProviderPermit permit, long actualTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(permit);
        if (!permit.Granted)
        {
            return ValueTask.CompletedTask;
        }

        lock (_providerLock)
        {
            if (_providers.TryGetValue(permit.Provider, out var state))
            {
                state.Release(permit, actualTokens);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask CoolDownAsync(string provider, DateTimeOffset until, CancellationToken cancellationToken)
    {
        lock (_providerLock)
        {
            if (!_providers.TryGetValue(provider, out var state))
            {
                state = new ProviderState(time.GetUtcNow());
                _providers[provider] = state;
            }

            if (until > state.CoolingDownUntil)
            {
                state.CoolingDownUntil = until;
            }
        }

        return ValueTask.CompletedTask;
    }

    private WindowCounts Counts(BudgetWindow window)
    {
        if (!_windows.TryGetValue((window.Bucket, window.Start), out var counts))
        {
            counts = new WindowCounts(window.End.AddDays(1));
            _windows[(window.Bucket, window.Start)] = counts;
        }

        return counts;
    }

    /// <summary>Percent of the tighter limit spent; 0 for a window without limits.</summary>
    private static decimal Spent(BudgetWindow window, WindowCounts counts)
    {
        var spent = 0m;
        if (window.TokenLimit is { } tokens and > 0)
        {
            spent = Math.Max(spent, counts.Tokens.Total * 100m / tokens);
        }

        if (window.CostLimit is { } cost and > 0m)
        {
            spent = Math.Max(spent, counts.Cost * 100m / cost);
        }

        return spent;
    }

    // Windows are kept a day past their end, for status writes that trail the midnight.
    private void ForgetOldWindows()
    {
        var now = time.GetUtcNow();
        List<(BucketKey, DateTimeOffset)>? old = null;
        foreach (var (key, counts) in _windows)
        {
            if (counts.KeepUntil < now)
            {
                (old ??= []).Add(key);
            }
        }

        foreach (var key in old ?? [])
        {
            _windows.Remove(key);
        }
    }

    private sealed class WindowCounts(DateTimeOffset keepUntil)
    {
        private readonly Dictionary<(string, string), ModelUsageCounts> _byModel = [];

        public DateTimeOffset KeepUntil { get; } = keepUntil;

        public TokenCounts Tokens { get; private set; }

        public long Requests { get; private set; }

        public long FailedRequests { get; private set; }

        public decimal Cost { get; private set; }

        public long ReservedTokens { get; set; }

        public decimal ReservedCost { get; set; }

        public void Add(UsageCharge charge)
        {
            Tokens += charge.Tokens;
            Cost += charge.Cost;
            if (charge.Succeeded)
            {
                Requests++;
            }
            else
            {
                FailedRequests++;
            }

            if (charge.Provider is { } provider && charge.Model is { } model && (charge.Succeeded || charge.Tokens.Total > 0))
            {
                var previous = _byModel.TryGetValue((provider, model), out var p) ? p : new ModelUsageCounts(provider, model, default, 0, 0m);
                _byModel[(provider, model)] = previous with
                {
                    Tokens = previous.Tokens + charge.Tokens,
                    Requests = previous.Requests + (charge.Succeeded ? 1 : 0),
                    Cost = previous.Cost + charge.Cost,
                };
            }
        }

        public void KeepLarger(WindowUsage usage)
        {
            Tokens = new TokenCounts(
                Math.Max(Tokens.Input, usage.Tokens.Input),
                Math.Max(Tokens.Output, usage.Tokens.Output),
                Math.Max(Tokens.CachedInput, usage.Tokens.CachedInput),
                Math.Max(Tokens.Reasoning, usage.Tokens.Reasoning));
            Requests = Math.Max(Requests, usage.Requests);
            FailedRequests = Math.Max(FailedRequests, usage.FailedRequests);
            Cost = Math.Max(Cost, usage.Cost);
            foreach (var model in usage.ByModel)
            {
                if (!_byModel.TryGetValue((model.Provider, model.Model), out var held) || held.Tokens.Total + held.Requests < model.Tokens.Total + model.Requests)
                {
                    _byModel[(model.Provider, model.Model)] = model;
                }
            }
        }

        public WindowUsage Snapshot() => new(
            Tokens,
            Requests,
            FailedRequests,
            Cost,
            [.. _byModel.Values.OrderBy(m => m.Provider, StringComparer.Ordinal).ThenBy(m => m.Model, StringComparer.Ordinal)]);
    }

    /// <summary>One provider's limits: requests and tokens as buckets refilling a minute's allowance per minute.</summary>
    private sealed class ProviderState(DateTimeOffset now)
    {
        private DateTimeOffset _refilledAt = now;
        private double? _requests;
        private double? _tokens;

        public int InFlight { get; private set; }

        public DateTimeOffset CoolingDownUntil { get; set; }

        public TaskCompletionSource Released { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public (ProviderLimitReason Reason, TimeSpan Wait) TryTake(ProviderLimits? limits, long tokens, DateTimeOffset now)
        {
            if (CoolingDownUntil > now)
            {
                return (ProviderLimitReason.CoolingDown, CoolingDownUntil - now);
            }

            Refill(limits, now);
            if (limits?.MaxConcurrentRequests is { } max && InFlight >= max)
            {
                return (ProviderLimitReason.Concurrency, TimeSpan.Zero);
            }

            if (limits?.RequestsPerMinute is { } rpm && _requests < 1)
            {
                return (ProviderLimitReason.RequestsPerMinute, TimeSpan.FromMinutes((1 - _requests.Value) / rpm));
            }

            // A request larger than a whole minute's allowance goes when the bucket is full, or it could never go.
            if (limits?.TokensPerMinute is { } tpm && _tokens < Math.Min(tokens, tpm))
            {
                return (ProviderLimitReason.TokensPerMinute, TimeSpan.FromMinutes((Math.Min(tokens, tpm) - _tokens.Value) / tpm));
            }

            if (limits?.MaxConcurrentRequests is not null)
            {
                InFlight++;
            }

            _requests -= 1;
            _tokens -= tokens;
            return (ProviderLimitReason.None, TimeSpan.Zero);
        }

        public void Release(ProviderPermit permit, long actualTokens)
        {
            if (permit.HoldsSlot)
            {
                InFlight = Math.Max(0, InFlight - 1);
            }

            // The estimate was taken at admission; the difference is settled now, so a bucket may go below zero.
            _tokens -= actualTokens - permit.Tokens;
            var released = Released;
            Released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            released.TrySetResult();
        }

        private void Refill(ProviderLimits? limits, DateTimeOffset now)
        {
            var minutes = Math.Max(0, (now - _refilledAt).TotalMinutes);
            _refilledAt = now;
            _requests = limits?.RequestsPerMinute is { } rpm ? Math.Min(rpm, (_requests ?? rpm) + (minutes * rpm)) : null;
            _tokens = limits?.TokensPerMinute is { } tpm ? Math.Min(tpm, (_tokens ?? tpm) + (minutes * tpm)) : null;
        }
    }
}
