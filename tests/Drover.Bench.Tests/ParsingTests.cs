using Drover.Bench;

namespace Drover.Bench.Tests;

public class ParsingTests
{
    [Fact]
    public void Proc_status_and_stat_give_rss_peak_and_cpu_seconds()
    {
        const string status = "Name:\tdrover\nVmPeak:\t  900000 kB\nVmHWM:\t  153600 kB\nVmRSS:\t   40960 kB\nThreads:\t15\n";
        const string stat = "4242 (drover run (x)) S 1 4242 4242 0 -1 4194560 5000 0 0 0 250 50 0 0 20 0 15 0 100 1000000 10000";
        var sample = ProcessSample.Parse(status, stat, clockTicks: 100);
        Assert.Equal(40, sample.RssMb);
        Assert.Equal(150, sample.PeakRssMb);
        Assert.Equal(3.0, sample.CpuSeconds, 3);
    }

    [Fact]
    public void Metrics_give_reconciles_per_controller_summed_over_results_and_queue_depths()
    {
        const string text = """
            # HELP drover_controller_reconcile_total Reconciles per controller and result.
            # TYPE drover_controller_reconcile_total counter
            drover_controller_reconcile_total{controller="agents",result="success"} 1000
            drover_controller_reconcile_total{controller="agents",result="requeue_after"} 20
            drover_controller_reconcile_total{controller="schedules",result="success"} 100
            drover_workqueue_depth{name="agents"} 3
            drover_workqueue_depth{name="schedules"} 0
            drover_workqueue_adds_total{name="agents"} 5000
            """;
        var metrics = OperatorMetrics.Parse(text);
        Assert.Equal(1020, metrics.ReconcilesOf("agents"));
        Assert.Equal(100, metrics.ReconcilesOf("schedules"));
        Assert.Equal(0, metrics.ReconcilesOf("modelproviders"));
        Assert.False(metrics.QueuesEmpty);
        Assert.True(OperatorMetrics.Parse(text.Replace("} 3", "} 0", StringComparison.Ordinal)).QueuesEmpty);
    }

    [Fact]
    public void Metrics_give_what_the_informer_caches_hold_summed_over_every_informer()
    {
        const string text = """
            # TYPE drover_informer_cached_objects gauge
            drover_informer_cached_objects{resource="agents"} 1000
            drover_informer_cached_objects{resource="secrets"} 2010
            drover_informer_cached_packed_bytes{resource="agents"} 800000
            drover_informer_cached_packed_bytes{resource="secrets"} 1200000
            drover_informer_relists_total{resource="secrets"} 2
            """;
        var metrics = OperatorMetrics.Parse(text);
        Assert.Equal(3010, metrics.CachedObjects);
        Assert.Equal(2_000_000, metrics.CachedPackedBytes);
    }

    [Fact]
    public void Request_counts_separate_the_operator_from_the_harness()
    {
        const string json = """
            {"writes": 9, "requests": [
              {"client": "drover-bench", "verb": "create", "resource": "agents", "count": 4},
              {"client": "KubernetesClient.Aot", "verb": "patch", "resource": "deployments", "count": 2},
              {"client": "KubernetesClient.Aot", "verb": "patch", "resource": "agents/status", "count": 2},
              {"client": "KubernetesClient.Aot", "verb": "create", "resource": "events", "count": 1},
              {"client": "KubernetesClient.Aot", "verb": "watch", "resource": "deployments", "count": 1}
            ]}
            """;
        var counts = RequestCounts.Parse(json);
        Assert.Equal(5, counts.OperatorWrites);
        Assert.Equal(2, counts.OperatorChildWrites);
        Assert.Equal(6, counts.OperatorRequests);
        Assert.Equal(("deployments", 2), counts.OperatorWritesByResource()[1]);
    }

    [Fact]
    public void Options_parse_the_lists_and_reject_nonsense()
    {
        var options = BenchOptions.Parse(["--fleets", "100,1_000", "--builds=aot", "--rotation", "500", "--resync-period", "45s", "--out", "x"], out var error, out _);
        Assert.Null(error);
        Assert.Equal([100, 1000], options!.Fleets);
        Assert.Equal(["aot"], options.Builds);
        Assert.Equal(500, options.Rotation);
        Assert.Equal(TimeSpan.FromSeconds(45), options.ResyncPeriod);
        Assert.Equal("45s", options.ResyncPeriodArgument);

        Assert.Null(BenchOptions.Parse(["--builds", "aot,wasm"], out error, out _));
        Assert.Contains("--builds", error, StringComparison.Ordinal);
        Assert.Null(BenchOptions.Parse(["--fleets", "0"], out error, out _));
        Assert.Null(BenchOptions.Parse(["--rotation"], out error, out _));
        Assert.Null(BenchOptions.Parse(["--help"], out _, out var help));
        Assert.True(help);
    }
}
