using Drover.Api.V1Alpha1;
using Drover.Gateway.Admission;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Gateway.Tests.Admission;

public class AdmissionStateTests
{
    private static readonly DateTimeOffset Noon = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Noon);

    private static BudgetWindow Window(long tokens, string? schedule = null) =>
        new(new BucketKey("ns", "agent", schedule), Noon.Date, Noon.Date.AddDays(1), tokens, null);

    [Fact]
    public async Task Reservations_count_until_settled_and_each_threshold_is_crossed_once()
    {
        var state = new InMemoryAdmissionState(_clock);
        var window = Window(1000);
        var first = await state.ReserveAsync([window], new Reservation(600, 0m), CancellationToken.None);
        var second = await state.ReserveAsync([window], new Reservation(600, 0m), CancellationToken.None);
        var third = await state.ReserveAsync([window], new Reservation(1, 0m), CancellationToken.None);

        Assert.True(first.Admitted);
        Assert.True(second.Admitted);
        Assert.False(third.Admitted);
        Assert.Equal(window, third.ExhaustedWindow);

        var crossed = await state.SettleAsync(first.Ticket!, new UsageCharge("p", "m", new TokenCounts(500, 350, 0, 0), 0m, true), CancellationToken.None);
        Assert.Equal([80], crossed.Select(c => c.Percent));
        crossed = await state.SettleAsync(second.Ticket!, new UsageCharge("p", "m", new TokenCounts(100, 100, 0, 0), 0m, true), CancellationToken.None);
        Assert.Equal([100], crossed.Select(c => c.Percent));
        Assert.Empty(await state.SettleAsync(second.Ticket!, new UsageCharge("p", "m", new TokenCounts(100, 100, 0, 0), 0m, true), CancellationToken.None));

        var usage = await state.ReadAsync(window.Bucket, window.Start, CancellationToken.None);
        Assert.Equal((1050L, 2L), (usage.Tokens.Total, usage.Requests));
    }

    [Fact]
    public async Task A_reservation_must_fit_every_window_and_takes_room_in_none_when_one_is_full()
    {
        var state = new InMemoryAdmissionState(_clock);
        var agent = Window(10_000);
        var schedule = Window(100, "nightly");
        var ticket = (await state.ReserveAsync([agent, schedule], new Reservation(100, 0m), CancellationToken.None)).Ticket!;
        await state.SettleAsync(ticket, new UsageCharge("p", "m", new TokenCounts(50, 50, 0, 0), 0m, true), CancellationToken.None);

        var refused = await state.ReserveAsync([agent, schedule], new Reservation(100, 0m), CancellationToken.None);
        Assert.Equal(schedule, refused.ExhaustedWindow);
        Assert.True((await state.ReserveAsync([agent], new Reservation(9_800, 0m), CancellationToken.None)).Admitted);
    }

    [Fact]
    public async Task Restoring_keeps_the_larger_counts_so_it_never_lowers_or_doubles()
    {
        var state = new InMemoryAdmissionState(_clock);
        var window = Window(1000);
        var seen = new WindowUsage(new TokenCounts(100, 50, 10, 0), 3, 1, 0.5m, [new ModelUsageCounts("p", "m", new TokenCounts(100, 50, 10, 0), 3, 0.5m)]);
        await state.RestoreAsync(window.Bucket, window.Start, seen, CancellationToken.None);
        await state.RestoreAsync(window.Bucket, window.Start, seen, CancellationToken.None);
        await state.RestoreAsync(window.Bucket, window.Start, WindowUsage.Empty, CancellationToken.None);

        var usage = await state.ReadAsync(window.Bucket, window.Start, CancellationToken.None);
        Assert.Equal((150L, 3L, 1L, 0.5m), (usage.Tokens.Total, usage.Requests, usage.FailedRequests, usage.Cost));
        Assert.Single(usage.ByModel);
    }

    [Fact]
    public async Task Requests_per_minute_refill_over_the_minute_and_a_cooldown_holds_everyone()
    {
        var state = new InMemoryAdmissionState(_clock);
        var limits = new ProviderLimits { RequestsPerMinute = 2 };
        Assert.True((await state.AcquireAsync("p", limits, 10, TimeSpan.Zero, CancellationToken.None)).Granted);
        Assert.True((await state.AcquireAsync("p", limits, 10, TimeSpan.Zero, CancellationToken.None)).Granted);
        var refused = await state.AcquireAsync("p", limits, 10, TimeSpan.Zero, CancellationToken.None);
        Assert.Equal((false, ProviderLimitReason.RequestsPerMinute, TimeSpan.FromSeconds(30)), (refused.Granted, refused.Refusal, refused.RetryAfter));

        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True((await state.AcquireAsync("p", limits, 10, TimeSpan.Zero, CancellationToken.None)).Granted);

        await state.CoolDownAsync("p", _clock.GetUtcNow().AddSeconds(20), CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(1) - TimeSpan.FromSeconds(45));
        Assert.Equal(ProviderLimitReason.CoolingDown, (await state.AcquireAsync("p", null, 10, TimeSpan.Zero, CancellationToken.None)).Refusal);
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True((await state.AcquireAsync("p", null, 10, TimeSpan.Zero, CancellationToken.None)).Granted);
    }

    [Fact]
    public async Task Tokens_per_minute_are_corrected_to_actual_use_on_release()
    {
        var state = new InMemoryAdmissionState(_clock);
        var limits = new ProviderLimits { TokensPerMinute = 1000 };
        var permit = await state.AcquireAsync("p", limits, 100, TimeSpan.Zero, CancellationToken.None);
        await state.ReleaseAsync(permit, 900, CancellationToken.None);

        var refused = await state.AcquireAsync("p", limits, 200, TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(ProviderLimitReason.TokensPerMinute, refused.Refusal);
        Assert.True((await state.AcquireAsync("p", limits, 100, TimeSpan.Zero, CancellationToken.None)).Granted);
    }

    [Fact]
    public async Task A_request_waiting_for_a_concurrency_slot_gets_it_when_one_is_released()
    {
        var state = new InMemoryAdmissionState(TimeProvider.System);
        var limits = new ProviderLimits { MaxConcurrentRequests = 1 };
        var holder = await state.AcquireAsync("p", limits, 1, TimeSpan.Zero, CancellationToken.None);
        var waiter = state.AcquireAsync("p", limits, 1, TimeSpan.FromSeconds(30), CancellationToken.None).AsTask();
        Assert.False(waiter.IsCompleted);

        await state.ReleaseAsync(holder, 1, CancellationToken.None);

        Assert.True((await waiter.WaitAsync(TimeSpan.FromSeconds(10))).Granted);
    }
}
