using Drover.GatewayBench.Profiling;

namespace Drover.Bench.Tests.Gateway;

public class PerfReportTests
{
    // The shape of `perf report --stdio --children --sort symbol -g none` of the NativeAOT gateway, IPC columns included.
    private const string Report = """
        # To display the perf.data header info, please use --header/--header-only options.
        #
        # Samples: 6K of event 'cpu-clock:ppp'
        # Event count (approx.): 3198598500
        #
        # Children      Self  Symbol                                                      IPC   [IPC Coverage]
        # ........  ........  ..........................................................  ....................
        #
            83.55%     0.00%  [.] S_P_CoreLib_System_Threading_Thread__StartThread      -      -
            56.08%    56.08%  [k] pvm_irq_enable                                        -      -
            31.09%     0.78%  [.] S_P_CoreLib_System_Threading_LowLevelLifoSemaphore__Wait  -      -
            12.82%     0.06%  [.] drover_gateway_Drover_Gateway_Proxy_ModelProxy__ServeAsync_d__11__MoveNext  -      -
            11.40%     0.00%  [.] Microsoft_Extensions_Logging_Console_Microsoft_Extensions_Logging_Console_ConsoleLoggerProcessor__ProcessLogQueue  -      -
            10.92%     0.00%  [.] Microsoft_Extensions_Logging_Console_Microsoft_Extensions_Logging_Console_ConsoleLoggerProcessor__WriteMessage  -      -
            10.79%     0.08%  [.] Microsoft_AspNetCore_Server_Kestrel_Core_Microsoft_AspNetCore_Server_Kestrel_Core_Internal_Http_HttpProtocol__ProcessRequests_d__237_1<System___Canon>__MoveNext  -      -
             3.64%     3.64%  [.] __sched_yield                                         -      -
             2.31%     2.31%  [.] WKS::gc_heap::find_first_object                       -      -
             1.39%     1.39%  [k] vfs_write                                             -      -
        """;

    [Fact]
    public void A_report_gives_its_sample_count_and_each_symbols_children_and_self_shares()
    {
        var (samples, symbols) = PerfReport.Parse(Report);
        Assert.Equal(6000, samples);
        Assert.Equal(10, symbols.Count);
        Assert.Equal(new PerfSymbol("pvm_irq_enable", true, 56.08, 56.08), symbols[1]);
        Assert.Equal("Microsoft_AspNetCore_Server_Kestrel_Core_Microsoft_AspNetCore_Server_Kestrel_Core_Internal_Http_HttpProtocol__ProcessRequests_d__237_1<System___Canon>__MoveNext", symbols[6].Symbol);
    }

    [Fact]
    public void Areas_take_the_outermost_frame_of_each_and_the_kernel_its_self_time()
    {
        var areas = PerfReport.Summarize(PerfReport.Parse(Report).Symbols).ToDictionary(a => a.Area, a => a.Percent);

        Assert.Equal(57.47, areas.Single(a => a.Key.StartsWith("kernel", StringComparison.Ordinal)).Value, 2);
        Assert.Equal(31.09, areas.Single(a => a.Key.StartsWith("thread pool", StringComparison.Ordinal)).Value);
        Assert.Equal(12.82, areas.Single(a => a.Key.StartsWith("request path", StringComparison.Ordinal)).Value);
        Assert.Equal(11.40, areas.Single(a => a.Key.StartsWith("the log line", StringComparison.Ordinal)).Value);
        Assert.Equal(2.31, areas.Single(a => a.Key.StartsWith("garbage", StringComparison.Ordinal)).Value);
        Assert.DoesNotContain(areas.Keys, a => a.StartsWith("Prometheus", StringComparison.Ordinal));

        var top = PerfReport.TopSelf(PerfReport.Parse(Report).Symbols, 2);
        Assert.Equal(["[k] pvm_irq_enable", "__sched_yield"], top.Select(t => t.Area));
    }
}
