using Drover.ControllerRuntime.LeaderElection;

namespace Drover.ControllerRuntime.Tests.LeaderElection;

public class LeaderElectorTests
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(2);

    // A new leader arms two timers: its renew deadline and its first wait before renewing.
    private const int LeaderTimers = 2;
    private readonly SteppingTimeProvider _time = new();
    private readonly InMemoryLeaseStore _store = new();

    [Fact]
    public async Task The_first_candidate_acquires_a_missing_lease_and_renews_it_every_retry_period()
    {
        var a = Candidate("a");
        using var stop = new CancellationTokenSource();
        var run = a.Elector.RunAsync(a.Lead, stop.Token);
        await _time.WaitForTimersAsync(LeaderTimers);

        Assert.True(a.Elector.IsLeader);
        await a.Leading.WaitAsync(TimeSpan.FromSeconds(5));
        var acquired = _store.Current!;
        Assert.Equal("a", acquired.HolderIdentity);
        Assert.Equal(15, acquired.LeaseDurationSeconds);
        Assert.Equal(_time.GetUtcNow(), acquired.RenewTime);

        await _time.StepAsync(Retry, 1);
        await _time.StepAsync(Retry, 1);
        Assert.Equal(acquired.AcquireTime, _store.Current!.AcquireTime);
        Assert.Equal(acquired.AcquireTime + (2 * Retry), _store.Current.RenewTime);
        Assert.Equal(0, _store.Current.LeaseTransitions);
        Assert.True(a.Elector.IsLeader);

        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_leader_that_cannot_renew_stops_leading_once_the_renew_deadline_has_passed()
    {
        var a = Candidate("a");
        using var stop = new CancellationTokenSource();
        var run = a.Elector.RunAsync(a.Lead, stop.Token);
        await _time.WaitForTimersAsync(LeaderTimers);
        var leadingToken = await a.Leading;
        var lastRenewal = _time.GetUtcNow();
        DateTimeOffset? lostAt = null;
        a.Elector.LeadershipChanged += (_, leading) => lostAt ??= leading ? null : _time.GetUtcNow();

        _store.Unreachable = true;
        for (var i = 0; i < 4; i++)
        {
            await _time.StepAsync(Retry, 1);
            Assert.True(a.Elector.IsLeader, $"still within the deadline after {(i + 1) * 2}s");
        }

        await _time.StepAsync(Retry, 1);
        Assert.False(a.Elector.IsLeader);
        Assert.Equal(lastRenewal + TimeSpan.FromSeconds(10), lostAt);
        Assert.True(leadingToken.IsCancellationRequested);

        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_leader_whose_renewal_hangs_stops_leading_at_the_renew_deadline_before_a_standby_can_take_over()
    {
        var stalled = new HangingWritesLeaseStore(_store);
        var a = Candidate("a", store: stalled);
        var b = Candidate("b");
        using var stop = new CancellationTokenSource();
        var runA = a.Elector.RunAsync(a.Lead, stop.Token);
        await _time.WaitForTimersAsync(LeaderTimers);
        var leadingToken = await a.Leading.WaitAsync(TimeSpan.FromSeconds(5));
        var lastRenewal = _store.Current!.RenewTime!.Value;
        var runB = b.Elector.RunAsync(b.Lead, stop.Token);
        await _time.WaitForTimersAsync(LeaderTimers + 1);
        DateTimeOffset? aLostAt = null;
        DateTimeOffset? bLedAt = null;
        a.Elector.LeadershipChanged += (_, leading) => aLostAt ??= leading ? null : _time.GetUtcNow();
        b.Elector.LeadershipChanged += (_, leading) => bLedAt ??= leading ? _time.GetUtcNow() : null;

        // From now on a's renewals reach the store and never come back.
        stalled.Hang = true;
        await _time.StepAsync(Retry, 1);
        await Poll.UntilAsync(() => stalled.Hanging == 1, TimeSpan.FromSeconds(5), "a's renewal to hang in the store");
        while (bLedAt is null && _time.GetUtcNow() - lastRenewal < TimeSpan.FromSeconds(30))
        {
            await _time.StepAsync(Retry, 1);
            if (_time.GetUtcNow() - lastRenewal < TimeSpan.FromSeconds(10))
            {
                Assert.True(a.Elector.IsLeader);
            }
        }

        Assert.Equal(lastRenewal + TimeSpan.FromSeconds(10), aLostAt);
        Assert.True(leadingToken.IsCancellationRequested);
        Assert.NotNull(bLedAt);
        Assert.True(bLedAt >= lastRenewal + TimeSpan.FromSeconds(15), $"b took over at {bLedAt}, before the lease expired");
        Assert.True(aLostAt < bLedAt);

        await stop.CancelAsync();
        await Task.WhenAll(runA, runB).WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_gracefully_stopped_leader_releases_the_lease_and_a_standby_takes_over_at_its_next_attempt()
    {
        var a = Candidate("a");
        var b = Candidate("b");
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();
        var runA = a.Elector.RunAsync(a.Lead, stopA.Token);
        await _time.WaitForTimersAsync(LeaderTimers);
        var runB = b.Elector.RunAsync(b.Lead, stopB.Token);
        await _time.WaitForTimersAsync(LeaderTimers + 1);
        Assert.True(a.Elector.IsLeader);
        Assert.False(b.Elector.IsLeader);

        await stopA.CancelAsync();
        await runA;
        Assert.False(a.Elector.IsLeader);
        Assert.Null(_store.Current!.HolderIdentity);
        Assert.Equal(1, _store.Current.LeaseDurationSeconds);

        await _time.StepAsync(Retry, 1);
        Assert.True(b.Elector.IsLeader);
        Assert.Equal("b", _store.Current!.HolderIdentity);
        Assert.Equal(1, _store.Current.LeaseTransitions);

        await stopB.CancelAsync();
        await runB;
    }

    [Fact]
    public async Task A_standby_takes_over_from_a_dead_leader_only_after_the_lease_expires()
    {
        var a = Candidate("a", release: false);
        var b = Candidate("b");
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();
        var runA = a.Elector.RunAsync(a.Lead, stopA.Token);
        await _time.WaitForTimersAsync(LeaderTimers);
        var runB = b.Elector.RunAsync(b.Lead, stopB.Token);
        await _time.WaitForTimersAsync(LeaderTimers + 1);
        await _time.StepAsync(Retry, 2);

        // The leader dies without releasing: its last renewal stays in the lease.
        await stopA.CancelAsync();
        await runA;
        var lastRenewal = _store.Current!.RenewTime!.Value;
        Assert.Equal("a", _store.Current.HolderIdentity);

        DateTimeOffset? tookOverAt = null;
        b.Elector.LeadershipChanged += (_, leading) => tookOverAt ??= leading ? _time.GetUtcNow() : null;
        while (tookOverAt is null && _time.GetUtcNow() - lastRenewal < TimeSpan.FromSeconds(30))
        {
            await _time.StepAsync(Retry, 1);
        }

        Assert.NotNull(tookOverAt);
        var waited = tookOverAt.Value - lastRenewal;
        Assert.InRange(waited, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15) + (2 * Retry));
        Assert.Equal("b", _store.Current!.HolderIdentity);

        await stopB.CancelAsync();
        await runB;
    }

    [Fact]
    public async Task Only_one_of_two_candidates_leads_while_the_leader_keeps_renewing()
    {
        var a = Candidate("a");
        var b = Candidate("b");
        using var stop = new CancellationTokenSource();
        var runA = a.Elector.RunAsync(a.Lead, stop.Token);
        await _time.WaitForTimersAsync(LeaderTimers);
        var runB = b.Elector.RunAsync(b.Lead, stop.Token);
        await _time.WaitForTimersAsync(LeaderTimers + 1);

        for (var i = 0; i < 20; i++)
        {
            await _time.StepAsync(Retry, 2);
            Assert.True(a.Elector.IsLeader ^ b.Elector.IsLeader);
        }

        Assert.True(a.Elector.IsLeader);
        await stop.CancelAsync();
        await Task.WhenAll(runA, runB);
    }

    [Fact]
    public async Task A_stale_write_loses_to_a_concurrent_one()
    {
        var a = Candidate("a");
        Assert.True(await a.Elector.TryAcquireOrRenewAsync(CancellationToken.None));
        var stale = _store.Current!;
        await _store.UpdateAsync(stale with { RenewTime = stale.RenewTime }, CancellationToken.None);
        await Assert.ThrowsAsync<LeaseConflictException>(() => _store.UpdateAsync(stale, CancellationToken.None));
    }

    private (LeaderElector Elector, Task<CancellationToken> Leading, Func<CancellationToken, Task> Lead) Candidate(string identity, bool release = true, ILeaseStore? store = null)
    {
        var elector = new LeaderElector(
            store ?? _store,
            new LeaderElectionOptions { Identity = identity, JitterFactor = 0, ReleaseOnCancel = release },
            time: _time);
        var leading = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        return (elector, leading.Task, async ct =>
        {
            leading.TrySetResult(ct);
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
        }
        );
    }
}
