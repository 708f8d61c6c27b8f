using System.Text.Json.Nodes;
using Drover.GatewayBench.Profiling;
using Drover.GatewayBench.Results;

namespace Drover.Bench.Tests.Gateway;

public class GatewayReportTests
{
    private static GatewayReport Report()
    {
        List<LevelResult> levels =
        [
            LadderTests.Level("direct", 1000, 0.9) with { Verdict = LevelResult.SustainedVerdict },
            LadderTests.Level("drover", 1000, 2.4) with { Verdict = LevelResult.SustainedVerdict, AddedP50Ms = 0.4, AddedP99Ms = 1.5, GatewayCpuPer1k = 0.61, GatewayCollections = [12, 1, 0], GatewayGcPauseMs = 9.5, GatewayAllocatedKbPerRequest = 29.3 },
        ];
        List<PathSummary> paths =
        [
            new() { Path = "direct", Runs = "the stub itself", MaxSustainedRate = 1000, SustainedEveryRate = true },
            new() { Path = "drover", Runs = "drover-gateway", MaxSustainedRate = 1000, SustainedEveryRate = true, IdleRssMb = 41.2, LoadedRssMb = 52.3, PeakRssMb = 55, CpuPer1k = 0.61, CpuPer1kRate = 1000 },
            new() { Path = "portkey", Runs = "@portkey-ai/gateway 1.15.2", Failure = "its requests fail (stream: status 500)" },
        ];
        return new GatewayReport
        {
            GeneratedAt = new DateTimeOffset(2026, 12, 2, 15, 0, 0, TimeSpan.Zero),
            Machine = new MachineInfo { Cpu = "Test CPU", Cores = 2, MemoryGb = 8, Os = "Linux", Dotnet = ".NET 10", Commit = "abc123" },
            Settings = new GatewaySettings([1000], [100], [16], 8, 1, 3000, 0, 200, 10, 1, 1024, new Dictionary<string, string>()),
            Paths = paths,
            Levels = levels,
            Targets = GatewayTargets.Evaluate(paths, levels),
            Profile = new ProfileResult { Rate = 1000, Samples = 6000, Areas = [new("garbage collection", 4.2)], TopSelf = [new("[k] pvm_irq_enable", 40)] },
            LoadAverage = "1.0 1.0 1.0 at the start, 2.0 2.0 2.0 at the end",
        };
    }

    [Fact]
    public void The_table_shows_each_path_and_a_failed_one_says_why_instead_of_figures()
    {
        var table = GatewayReportWriter.Table(Report());
        Assert.Contains("| drover | >= 1,000 | +0.40 / +1.50 | - | - / - | 0.610 | 41.2 / 52.3 / 55.0 |", table, StringComparison.Ordinal);
        Assert.Contains("| portkey | FAILED: its requests fail (stream: status 500) |", table, StringComparison.Ordinal);
    }

    [Fact]
    public void The_markdown_marks_missed_targets_and_the_json_holds_every_level()
    {
        var report = Report();
        var md = GatewayReportWriter.Markdown(report);
        Assert.Contains("| less added p99 than Portkey at every load level | drover < portkey | Portkey failed: its requests fail (stream: status 500) | - | **MISS** |", md, StringComparison.Ordinal);
        Assert.Contains("| idle RSS | <= 40 MB | 41.2 MB | 1.03x the target | **MISS** |", md, StringComparison.Ordinal);
        Assert.Contains("| `[k] pvm_irq_enable` | 40.0% |", md, StringComparison.Ordinal);
        Assert.Contains("| drover | 1,000 | 0.610 | 0.000 | 0.000 | 12/1/0, 9.5 ms, 29.3 KB |", md, StringComparison.Ordinal);

        var json = JsonNode.Parse(GatewayReportWriter.Json(report))!;
        Assert.Equal(2, json["levels"]!.AsArray().Count);
        Assert.Equal(1.5, json["levels"]![1]!["addedP99Ms"]!.GetValue<double>());
        Assert.Equal("its requests fail (stream: status 500)", json["paths"]![2]!["failure"]!.GetValue<string>());
        Assert.Equal("<= 40 MB", json["targets"]![4]!["goal"]!.GetValue<string>());
    }
}
