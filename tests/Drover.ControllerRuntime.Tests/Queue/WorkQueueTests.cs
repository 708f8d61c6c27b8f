using Drover.ControllerRuntime.Queue;
using Microsoft.Extensions.Time.Testing;

namespace Drover.ControllerRuntime.Tests.Queue;

public class WorkQueueTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2025-01-01T00:00:00Z"));

    [Fact]
    public async Task A_key_added_many_times_is_handed_out_once()
    {
        using var queue = new WorkQueue<string>("dedupe", _time);
        queue.Add("a");
        queue.Add("a");
        queue.Add("b");
        queue.Add("a");

        Assert.Equal(2, queue.Count);
        Assert.Equal("a", (await queue.GetAsync()).Key);
        Assert.Equal("b", (await queue.GetAsync()).Key);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void A_delay_longer_than_a_timer_accepts_is_shortened_instead_of_throwing()
    {
        using var queue = new WorkQueue<string>("far-future");

        queue.AddAfter("yearly", TimeSpan.FromDays(400));

        Assert.Equal(1, queue.DelayedCount);
        Assert.Equal(TimerLimits.MaxDelay, queue.MaxDelay);
        Assert.True(TimerLimits.MaxDelay < TimeSpan.FromDays(50));
    }

    [Fact]
    public void A_delay_beyond_the_configured_maximum_fires_at_the_maximum()
    {
        using var queue = new WorkQueue<string>("capped", _time, maxDelay: TimeSpan.FromHours(24));

        queue.AddAfter("monthly", TimeSpan.FromDays(30));
        _time.Advance(TimeSpan.FromHours(24) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, queue.Count);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public async Task A_key_re_added_while_processing_is_not_handed_to_a_second_worker_until_done()
    {
        using var queue = new WorkQueue<string>("dirty", _time);
        queue.Add("a");
        var first = await queue.GetAsync();

        queue.Add("a");
        Assert.Equal(0, queue.Count);
        var second = queue.GetAsync();
        Assert.False(second.IsCompleted);

        queue.Done(first.Key);
        var again = await second.WaitAsync(Patience);
        Assert.Equal("a", again.Key);
    }

    [Fact]
    public async Task Done_without_a_re_add_does_not_requeue()
    {
        using var queue = new WorkQueue<string>("done", _time);
        queue.Add("a");
        queue.Done((await queue.GetAsync()).Key);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void Per_key_backoff_doubles_from_5ms_and_caps_at_1000s()
    {
        var limiter = new ExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000));
        var delays = Enumerable.Range(0, 30).Select(_ => limiter.When("a")).ToList();

        Assert.Equal(TimeSpan.FromMilliseconds(5), delays[0]);
        Assert.Equal(TimeSpan.FromMilliseconds(10), delays[1]);
        Assert.Equal(TimeSpan.FromMilliseconds(20), delays[2]);
        Assert.Equal(TimeSpan.FromMilliseconds(5 * 1024), delays[10]);
        Assert.Equal(TimeSpan.FromSeconds(1000), delays[29]);
        Assert.Equal(30, limiter.NumRequeues("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("b"));
    }

    [Fact]
    public async Task AddRateLimited_waits_longer_after_each_failure_and_Forget_resets_it()
    {
        using var queue = new WorkQueue<string>("backoff", _time);

        queue.AddRateLimited("a");
        queue.AddRateLimited("a");
        Assert.Equal(0, queue.Count);
        _time.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Equal(1, queue.Count);
        queue.Done((await queue.GetAsync()).Key);

        queue.AddRateLimited("a");
        queue.AddRateLimited("a");
        Assert.Equal(4, queue.NumRequeues("a"));
        _time.Advance(TimeSpan.FromMilliseconds(19));
        Assert.Equal(0, queue.Count);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, queue.Count);
        queue.Done((await queue.GetAsync()).Key);

        queue.Forget("a");
        Assert.Equal(0, queue.NumRequeues("a"));
        queue.AddRateLimited("a");
        _time.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public void AddAfter_adds_when_the_time_comes_and_the_earliest_schedule_wins()
    {
        using var queue = new WorkQueue<string>("after", _time);
        queue.AddAfter("a", TimeSpan.FromSeconds(10));
        queue.AddAfter("a", TimeSpan.FromSeconds(3));
        queue.AddAfter("a", TimeSpan.FromSeconds(20));

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, queue.Count);
        Assert.Equal(1, queue.DelayedCount);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, queue.Count);
        Assert.Equal(0, queue.DelayedCount);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public void The_overall_bucket_lets_a_burst_of_100_through_then_10_per_second()
    {
        var bucket = new TokenBucketRateLimiter<int>(10, 100, _time);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(TimeSpan.Zero, bucket.When(i));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(100), bucket.When(100));
        Assert.Equal(TimeSpan.FromMilliseconds(200), bucket.When(101));

        // A second later ten tokens have accrued, two of which the waiting retries above already spoke for.
        _time.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(TimeSpan.Zero, bucket.When(200 + i));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(100), bucket.When(300));
    }

    [Fact]
    public void The_default_limiter_is_the_slower_of_backoff_and_bucket()
    {
        var limiter = DefaultRateLimiter.Create<int>(_time);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When(i));
        }

        // The 101st distinct key has no backoff history but the bucket is empty.
        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.When(1000));
    }

    [Fact]
    public async Task Shutdown_drains_in_flight_items_and_stops_accepting_new_ones()
    {
        using var queue = new WorkQueue<string>("drain", _time);
        queue.Add("a");
        queue.Add("b");
        queue.AddAfter("later", TimeSpan.FromSeconds(1));
        var inFlight = await queue.GetAsync();

        var drained = queue.ShutDownWithDrainAsync();
        queue.Add("c");
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(drained.IsCompleted);

        var queued = await queue.GetAsync();
        Assert.Equal("b", queued.Key);
        Assert.False(queued.ShuttingDown);
        queue.Done(queued.Key);
        Assert.False(drained.IsCompleted);

        queue.Done(inFlight.Key);
        await drained.WaitAsync(Patience);
        Assert.True((await queue.GetAsync()).ShuttingDown);
    }

    [Fact]
    public async Task A_waiting_worker_is_released_by_shutdown()
    {
        using var queue = new WorkQueue<string>("release", _time);
        var waiting = queue.GetAsync();
        queue.ShutDown();
        Assert.True((await waiting.WaitAsync(Patience)).ShuttingDown);
    }

    [Fact]
    public async Task Concurrent_workers_never_hold_the_same_key_at_once()
    {
        using var queue = new WorkQueue<int>("concurrency", TimeProvider.System);
        var holding = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        var overlaps = 0;
        var processed = 0;
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var item = await queue.GetAsync();
                if (item.ShuttingDown)
                {
                    return;
                }

                if (!holding.TryAdd(item.Key, 1))
                {
                    Interlocked.Increment(ref overlaps);
                }

                await Task.Yield();
                holding.TryRemove(item.Key, out var _);
                Interlocked.Increment(ref processed);
                queue.Done(item.Key);
            }
        })).ToArray();

        for (var round = 0; round < 200; round++)
        {
            queue.Add(round % 5);
            if (round % 10 == 0)
            {
                await Task.Yield();
            }
        }

        await queue.ShutDownWithDrainAsync().WaitAsync(Patience);
        await Task.WhenAll(workers).WaitAsync(Patience);
        Assert.Equal(0, overlaps);
        Assert.InRange(processed, 5, 200);
    }
}
