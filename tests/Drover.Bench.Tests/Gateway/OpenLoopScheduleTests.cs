using Drover.GatewayBench.Load;

namespace Drover.Bench.Tests.Gateway;

public class OpenLoopScheduleTests
{
    private const long Frequency = 1_000_000_000;

    [Fact]
    public void Requests_are_due_evenly_from_the_start_at_the_rate()
    {
        var schedule = new OpenLoopSchedule(1000, Frequency);
        Assert.Equal(8000, schedule.Count(TimeSpan.FromSeconds(8)));
        Assert.Equal(0, schedule.DueOffset(0));
        Assert.Equal(1_000_000, schedule.DueOffset(1));
        Assert.Equal(7_999_000_000, schedule.DueOffset(7999));

        // A rate that does not divide the clock: the offsets do not drift, the 300th is due at one second.
        var odd = new OpenLoopSchedule(300, Frequency);
        Assert.Equal(Frequency, odd.DueOffset(300));
        Assert.Equal(3_333_333, odd.DueOffset(1));
    }

    [Fact]
    public void Due_counts_agree_with_the_due_times_at_every_instant()
    {
        foreach (var rate in new[] { 1.0, 7, 300, 1000, 2999 })
        {
            var schedule = new OpenLoopSchedule(rate, Frequency);
            var count = schedule.Count(TimeSpan.FromSeconds(2));
            Assert.Equal(0, schedule.DueBy(-1, count));
            Assert.Equal(1, schedule.DueBy(0, count));
            for (var i = 1; i < count; i += 37)
            {
                var due = schedule.DueOffset(i);
                Assert.Equal(i, schedule.DueBy(due - 1, count));
                Assert.Equal(i + 1, schedule.DueBy(due, count));
            }

            Assert.Equal(count, schedule.DueBy(Frequency * 60, count));
        }
    }

    [Fact]
    public void Latency_is_counted_from_the_due_time_so_a_request_held_up_behind_a_stall_is_charged_for_the_wait()
    {
        var schedule = new OpenLoopSchedule(100, Frequency);
        const long start = 5 * Frequency;

        // The path stalled for 200 ms: the 11th request (due at 100 ms) could only be sent at 300 ms and was answered
        // 1 ms later. From its send it took 1 ms; from when it was due, 201 ms, which is what a caller would have seen.
        var finished = start + (300 * Frequency / 1000) + (Frequency / 1000);
        Assert.Equal(201, schedule.LatencyMs(start, 10, finished), 6);
    }
}
