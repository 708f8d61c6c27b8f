using System.Diagnostics.CodeAnalysis;
using Drover.ControllerRuntime.Observability;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drover.ControllerRuntime.LeaderElection;

/// <summary>
/// Lease-based leader election after client-go's leaderelection package. Standbys try every retry period and take
/// the lease when it is free or when they have seen it unchanged for a whole lease duration (measured on their own
/// clock, so clock skew between nodes does not matter). The leader renews every retry period and stops leading once
/// the renew deadline has passed since the start of its last successful renewal: a renewal still in flight then is
/// cancelled, and leading ends before any standby can consider the lease expired (the renew deadline is shorter than
/// the lease duration, and a standby counts from when it saw the renewal, which is later). On graceful stop it
/// releases the lease.
/// </summary>
public sealed class LeaderElector
{
    private readonly ILeaseStore _store;
    private readonly LeaderElectionOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private LeaseRecord? _observed;
    private DateTimeOffset _observedAt;
    private int _leading;

    public LeaderElector(ILeaseStore store, LeaderElectionOptions? options = null, ILogger? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = options ?? new LeaderElectionOptions();
        if (_options.RenewDeadline >= _options.LeaseDuration)
        {
            throw new ArgumentException("The renew deadline must be shorter than the lease duration.", nameof(options));
        }

        if (_options.RetryPeriod <= TimeSpan.Zero || _options.RenewDeadline <= _options.RetryPeriod * _options.JitterFactor)
        {
            throw new ArgumentException("The retry period must be positive and the renew deadline longer than its jitter.", nameof(options));
        }

        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    public string Identity => _options.Identity;

    public bool IsLeader => Volatile.Read(ref _leading) == 1;

    /// <summary>Raised with true on gaining and false on losing (or releasing) leadership.</summary>
    public event EventHandler<bool>? LeadershipChanged;

    /// <summary>
    /// Campaigns until <paramref name="cancellationToken"/> is cancelled. Each time it leads it runs
    /// <paramref name="whileLeading"/> with a token cancelled when leadership is lost or the run is stopped,
    /// waits for it to return, and then campaigns again (or releases the lease when stopping).
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task> whileLeading, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(whileLeading);
        while (!cancellationToken.IsCancellationRequested)
        {
            if (await AcquireAsync(cancellationToken) is not { } renewedAt)
            {
                return;
            }

            SetLeader(true);
            LeaderElectionLog.Acquired(_logger, Identity, _store.Description);

            // Fires RenewDeadline after the start of the last successful renewal; each renewal moves it on. Leading
            // ends the moment it fires, not when a hung renewal gets round to noticing.
            var remaining = Remaining(renewedAt);
            using var renewDeadline = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, _time);
            using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await using var onDeadline = renewDeadline.Token.Register(() => LoseAtDeadline(leading));
            var work = RunLeadingAsync(whileLeading, leading.Token);
            await RenewUntilLostAsync(renewDeadline, cancellationToken);
            SetLeader(false);
            await leading.CancelAsync();
            await work;
            if (cancellationToken.IsCancellationRequested && _options.ReleaseOnCancel)
            {
                await ReleaseAsync();
            }
        }
    }

    /// <summary>One client-go tryAcquireOrRenew: true when we hold the lease afterwards.</summary>
    [SuppressMessage("Design", "CA1031", Justification = "Any failure to reach the store is a failed attempt, retried on the next period.")]
    public async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var duration = (int)Math.Ceiling(_options.LeaseDuration.TotalSeconds);
        try
        {
            var current = await _store.GetAsync(cancellationToken);
            if (current is null)
            {
                var created = await _store.CreateAsync(new LeaseRecord(Identity, duration, now, now, 0), cancellationToken);
                Observe(created, now);
                return true;
            }

            if (!SameRecord(current, _observed))
            {
                Observe(current, now);
            }

            var heldByOther = current.HolderIdentity is not null && current.HolderIdentity != Identity;
            if (heldByOther && _observedAt + TimeSpan.FromSeconds(current.LeaseDurationSeconds) > now)
            {
                return false;
            }

            var renewal = current.HolderIdentity == Identity
                ? current with { LeaseDurationSeconds = duration, RenewTime = now }
                : new LeaseRecord(Identity, duration, now, now, current.LeaseTransitions + 1, current.ResourceVersion);
            var updated = await _store.UpdateAsync(renewal, cancellationToken);
            Observe(updated, now);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            LeaderElectionLog.AttemptFailed(_logger, e, Identity, _store.Description);
            return false;
        }
    }

    /// <summary>Tries every retry period until the lease is ours; returns when the successful attempt began, or null when stopped.</summary>
    private async Task<DateTimeOffset?> AcquireAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var attemptStarted = _time.GetUtcNow();
                if (await TryAcquireOrRenewAsync(cancellationToken))
                {
                    // The lease says it was renewed when the attempt began. An attempt slower than the renew deadline
                    // wrote a renewal standbys may already count as stale: not a safe start; the next attempt renews.
                    if (Remaining(attemptStarted) > TimeSpan.Zero)
                    {
                        return attemptStarted;
                    }
                }

                await Task.Delay(Jittered(_options.RetryPeriod), _time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>
    /// Renews every retry period until stopped or until <paramref name="renewDeadline"/> fires, which cuts off a renewal
    /// in flight (a hung request, a half-open connection) as well as a run of failed ones.
    /// </summary>
    private async Task RenewUntilLostAsync(CancellationTokenSource renewDeadline, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, renewDeadline.Token);
        try
        {
            while (true)
            {
                await Task.Delay(_options.RetryPeriod, _time, bounded.Token);
                var attemptStarted = _time.GetUtcNow();
                if (await TryAcquireOrRenewAsync(bounded.Token))
                {
                    var remaining = Remaining(attemptStarted);
                    renewDeadline.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || renewDeadline.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Runs on the renew deadline's timer: leadership ends now. The leading work is cancelled asynchronously, so its
    /// cancellation callbacks (and any exception in them) stay off the timer thread.
    /// </summary>
    [SuppressMessage("Design", "CA1031", Justification = "An exception on a timer thread would end the process; a failing LeadershipChanged handler is logged instead.")]
    private void LoseAtDeadline(CancellationTokenSource leading)
    {
        try
        {
            if (SetLeader(false))
            {
                LeaderElectionLog.Lost(_logger, Identity, _store.Description, _options.RenewDeadline);
            }
        }
        catch (Exception e)
        {
            LeaderElectionLog.LeadingFailed(_logger, e, _store.Description);
        }

        _ = leading.CancelAsync();
    }

    /// <summary>How long leading may go on after a renewal that began at <paramref name="renewalStarted"/>.</summary>
    private TimeSpan Remaining(DateTimeOffset renewalStarted) => renewalStarted + _options.RenewDeadline - _time.GetUtcNow();

    [SuppressMessage("Design", "CA1031", Justification = "Leading work that fails ends this term; the elector keeps running.")]
    private async Task RunLeadingAsync(Func<CancellationToken, Task> whileLeading, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await whileLeading(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LeaderElectionLog.LeadingFailed(_logger, e, _store.Description);
        }
    }

    [SuppressMessage("Design", "CA1031", Justification = "Releasing is a courtesy that speeds up failover; if it fails the lease simply expires.")]
    private async Task ReleaseAsync()
    {
        using var timeout = new CancellationTokenSource(_options.RenewDeadline, _time);
        try
        {
            var current = await _store.GetAsync(timeout.Token);
            if (current is null || current.HolderIdentity != Identity)
            {
                return;
            }

            var now = _time.GetUtcNow();
            var released = await _store.UpdateAsync(current with { HolderIdentity = null, LeaseDurationSeconds = 1, RenewTime = now }, timeout.Token);
            Observe(released, now);
            LeaderElectionLog.Released(_logger, Identity, _store.Description);
        }
        catch (Exception e)
        {
            LeaderElectionLog.AttemptFailed(_logger, e, Identity, _store.Description);
        }
    }

    private void Observe(LeaseRecord record, DateTimeOffset now)
    {
        _observed = record;
        _observedAt = now;
    }

    /// <summary>Flips leadership and tells the world; returns false (and does nothing) when it already was so.</summary>
    private bool SetLeader(bool leading)
    {
        if (Interlocked.Exchange(ref _leading, leading ? 1 : 0) == (leading ? 1 : 0))
        {
            return false;
        }

        RuntimeMetrics.LeaderStatus.WithLabels(_store.Description).Set(leading ? 1 : 0);
        LeadershipChanged?.Invoke(this, leading);
        return true;
    }

    private static bool SameRecord(LeaseRecord a, LeaseRecord? b) =>
        b is not null && a.HolderIdentity == b.HolderIdentity && a.RenewTime == b.RenewTime && a.AcquireTime == b.AcquireTime
        && a.LeaseTransitions == b.LeaseTransitions && a.LeaseDurationSeconds == b.LeaseDurationSeconds;

    [SuppressMessage("Security", "CA5394", Justification = "Jitter spreads attempts; it protects nothing.")]
    private TimeSpan Jittered(TimeSpan period) => period + TimeSpan.FromTicks((long)(period.Ticks * _options.JitterFactor * Random.Shared.NextDouble()));
}
