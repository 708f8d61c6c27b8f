using Drover.Api.V1Alpha1;
using Drover.Gateway.Admission;
using Drover.Gateway.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Drover.Gateway.Tests.Admission;

/// <summary>Admission state shared by replicas through a real redis-server: each replica here is its own connection.</summary>
[Collection(RedisServer.Collection)]
public sealed class RedisAdmissionStateTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Today = DateTimeOffset.UtcNow.Date;
    private RedisServer _redis = null!;
    private readonly List<IAsyncDisposable> _owned = [];

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        try
        {
            foreach (var owned in Enumerable.Reverse(_owned))
            {
                await owned.DisposeAsync();
            }
        }
        finally
        {
            // Whatever failed above, the server this test started does not outlive it.
            await _redis.DisposeAsync();
        }
    }

    private static BudgetWindow Window(long tokens, string agent = "agent") =>
        new(new BucketKey("ns", agent, null), Today, Today.AddDays(1), tokens, null);

    private RedisAdmissionState Replica(TimeSpan? lease = null)
    {
        var connection = _redis.Connect();
        var state = new RedisAdmissionState(connection, TimeProvider.System, lease ?? TimeSpan.FromSeconds(30), ownsConnection: true);
        _owned.Add(state);
        return state;
    }

    private SharedAdmissionState SharedReplica(int replicas)
    {
        var state = new SharedAdmissionState(
            new RedisAdmissionState(_redis.Connect(), TimeProvider.System, TimeSpan.FromSeconds(30), ownsConnection: true),
            replicas,
            TimeProvider.System,
            TimeSpan.FromMilliseconds(100),
            NullLogger.Instance);
        _owned.Add(state);
        return state;
    }

    private static UsageCharge Used(long input, long output) => new("ns/p", "m", new TokenCounts(input, output, 0, 0), 0.001m, true);

    [Fact]
    public async Task Two_replicas_share_reservations_and_each_threshold_is_crossed_once_whatever_the_retries()
    {
        var (a, b) = (Replica(), Replica());
        var window = Window(1000);

        var first = await a.ReserveAsync([window], new Reservation(600, 0m), CancellationToken.None);
        var second = await b.ReserveAsync([window], new Reservation(600, 0m), CancellationToken.None);
        var third = await a.ReserveAsync([window], new Reservation(1, 0m), CancellationToken.None);

        Assert.True(first.Admitted);
        Assert.True(second.Admitted);
        Assert.Equal(window, third.ExhaustedWindow);
        Assert.Equal([80], (await a.SettleAsync(first.Ticket!, Used(500, 350), CancellationToken.None)).Select(c => c.Percent));
        Assert.Equal([100], (await b.SettleAsync(second.Ticket!, Used(100, 100), CancellationToken.None)).Select(c => c.Percent));
        Assert.Empty(await a.SettleAsync(second.Ticket!, Used(100, 100), CancellationToken.None));

        var usage = await b.ReadAsync(window.Bucket, window.Start, CancellationToken.None);
        Assert.Equal((1050L, 2L, 0.002m), (usage.Tokens.Total, usage.Requests, usage.Cost));
        Assert.Equal([("ns/p", "m", 2L)], usage.ByModel.Select(m => (m.Provider, m.Model, m.Requests)));
    }

    [Fact]
    public async Task Requests_per_minute_and_cooldowns_hold_across_replicas()
    {
        var (a, b) = (Replica(), Replica());
        var limits = new ProviderLimits { RequestsPerMinute = 2 };

        Assert.True((await a.AcquireAsync("ns/p", limits, 10, TimeSpan.Zero, CancellationToken.None)).Granted);
        Assert.True((await b.AcquireAsync("ns/p", limits, 10, TimeSpan.Zero, CancellationToken.None)).Granted);
        var refused = await a.AcquireAsync("ns/p", limits, 10, TimeSpan.Zero, CancellationToken.None);

        Assert.Equal((false, ProviderLimitReason.RequestsPerMinute), (refused.Granted, refused.Refusal));
        Assert.InRange(refused.RetryAfter!.Value, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(30));

        await a.CoolDownAsync("ns/q", DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);
        Assert.Equal(ProviderLimitReason.CoolingDown, (await b.AcquireAsync("ns/q", null, 10, TimeSpan.Zero, CancellationToken.None)).Refusal);
    }

    [Fact]
    public async Task A_concurrency_slot_is_waited_for_across_replicas_and_a_stopped_replicas_slots_and_reservations_run_out()
    {
        var a = Replica();
        var b = Replica(TimeSpan.FromMilliseconds(600));
        var limits = new ProviderLimits { MaxConcurrentRequests = 1 };
        var held = await a.AcquireAsync("ns/p", limits, 1, TimeSpan.Zero, CancellationToken.None);
        var waiter = b.AcquireAsync("ns/p", limits, 1, TimeSpan.FromSeconds(20), CancellationToken.None).AsTask();
        Assert.False(waiter.IsCompleted);
        Assert.Equal(ProviderLimitReason.Concurrency, (await a.AcquireAsync("ns/p", limits, 1, TimeSpan.Zero, CancellationToken.None)).Refusal);

        await a.ReleaseAsync(held, 1, CancellationToken.None);
        Assert.True((await waiter.WaitAsync(TimeSpan.FromSeconds(20))).Granted);

        // Replica b stops (as a crashed pod does) holding the slot and a reservation: renewed while it runs, they run out after.
        var window = Window(100);
        Assert.True((await b.ReserveAsync([window], new Reservation(100, 0m), CancellationToken.None)).Admitted);
        await Task.Delay(TimeSpan.FromMilliseconds(1200));
        Assert.False((await a.ReserveAsync([window], new Reservation(1, 0m), CancellationToken.None)).Admitted);
        await b.DisposeAsync();
        Assert.True((await a.AcquireAsync("ns/p", limits, 1, TimeSpan.FromSeconds(20), CancellationToken.None)).Granted);
        await Eventually.TrueAsync(async () => (await a.ReserveAsync([window], new Reservation(1, 0m), CancellationToken.None)).Admitted, "the stopped replica's reservation to run out");
    }

    [Fact]
    public async Task With_redis_killed_replicas_admit_their_share_and_when_it_returns_every_charge_is_counted_once()
    {
        var (a, b) = (SharedReplica(2), SharedReplica(2));
        var window = Window(10_000);
        var limits = new ProviderLimits { RequestsPerMinute = 10 };
        var before = await a.ReserveAsync([window], new Reservation(100, 0m), CancellationToken.None);
        await a.SettleAsync(before.Ticket!, Used(1000, 1000), CancellationToken.None);
        var inFlight = await b.ReserveAsync([window], new Reservation(100, 0m), CancellationToken.None);
        var fallbacks = GatewayMetricsValue("drover_gateway_redis_fallbacks_total");

        await _redis.KillAsync();

        // a saw 2,000 of 10,000 spent: its share of the 8,000 left is 4,000; b saw nothing (no settle yet): 5,000.
        Assert.True((await a.ReserveAsync([window], new Reservation(4000, 0m), CancellationToken.None)).Admitted);
        Assert.False(a.Shared);
        Assert.False((await a.ReserveAsync([window], new Reservation(1, 0m), CancellationToken.None)).Admitted);
        var during = await b.ReserveAsync([window], new Reservation(100, 0m), CancellationToken.None);
        Assert.True(during.Admitted);
        await b.SettleAsync(during.Ticket!, Used(300, 200), CancellationToken.None);
        await b.SettleAsync(inFlight.Ticket!, Used(150, 50), CancellationToken.None);
        Assert.Equal(2, b.PendingCharges);
        Assert.True(GatewayMetricsValue("drover_gateway_redis_fallbacks_total") >= fallbacks + 2);
        Assert.Equal(0, GatewayMetricsValue("drover_gateway_redis_up"));

        // Provider limits fall to a share too: 10 a minute over two replicas is 5 here.
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await b.AcquireAsync("ns/p", limits, 1, TimeSpan.Zero, CancellationToken.None)).Granted);
        }

        Assert.Equal(ProviderLimitReason.RequestsPerMinute, (await b.AcquireAsync("ns/p", limits, 1, TimeSpan.Zero, CancellationToken.None)).Refusal);

        await _redis.RestartAsync();
        await Eventually.TrueAsync(() => Task.FromResult(a.Shared && b.Shared && b.PendingCharges == 0), "both replicas to reconcile with Redis");

        using var direct = _redis.Connect();
        var counted = await new RedisAdmissionState(direct, TimeProvider.System, TimeSpan.FromSeconds(30)).ReadAsync(window.Bucket, window.Start, CancellationToken.None);
        Assert.Equal((2000L + 500 + 200, 3L), (counted.Tokens.Total, counted.Requests));
        Assert.Equal(1, GatewayMetricsValue("drover_gateway_redis_up"));

        // The in-flight ticket's reservation in Redis was abandoned; a replayed charge under its id adds nothing.
        await new RedisAdmissionState(direct, TimeProvider.System, TimeSpan.FromSeconds(30)).SettleAsync(inFlight.Ticket!, Used(150, 50), CancellationToken.None);
        Assert.Equal(2700L, (await a.ReadAsync(window.Bucket, window.Start, CancellationToken.None)).Tokens.Total);
    }

    private static double GatewayMetricsValue(string name)
    {
        using var stream = new MemoryStream();
        Prometheus.Metrics.DefaultRegistry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
        var line = System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
