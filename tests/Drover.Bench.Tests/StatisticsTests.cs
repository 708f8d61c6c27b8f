using Drover.Bench;

namespace Drover.Bench.Tests;

public class StatisticsTests
{
    [Fact]
    public void Percentiles_are_nearest_rank_values_that_were_measured()
    {
        double[] latencies = [40, 10, 30, 20, 50, 60, 70, 80, 90, 100];
        Assert.Equal(50, Statistics.Percentile(latencies, 50));
        Assert.Equal(100, Statistics.Percentile(latencies, 99));
        Assert.Equal(90, Statistics.Percentile(latencies, 90));
        Assert.Equal(10, Statistics.Percentile(latencies, 0));
        Assert.Equal(7, Statistics.Percentile([7], 99));
        Assert.True(double.IsNaN(Statistics.Percentile([], 50)));
    }

    [Fact]
    public void The_p99_of_fifty_changes_is_the_slowest_one()
    {
        var latencies = Enumerable.Range(1, 50).Select(i => (double)i).ToList();
        Assert.Equal(50, Statistics.Percentile(latencies, 99));
        Assert.Equal(25, Statistics.Median(latencies));
    }
}
