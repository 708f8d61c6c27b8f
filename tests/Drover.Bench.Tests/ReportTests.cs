using System.Text.Json.Nodes;
using Drover.Bench;

namespace Drover.Bench.Tests;

public class ReportTests
{
    private static BenchReport Report(params RunResult[] runs) => new()
    {
        GeneratedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
        Machine = new MachineInfo { Cpu = "Test CPU", Cores = 2, MemoryGb = 8, Os = "Linux", Dotnet = ".NET 10", Commit = "abc123" },
        Settings = new BenchSettings([100, 1000], ["aot", "jit"], 1000, 50, 10, 30, 20),
        Results = runs,
        WallSeconds = 600,
    };

    [Fact]
    public void Latest_json_holds_the_figures_the_issue_names_per_build_and_fleet()
    {
        var run = TargetsTests.Run("aot", 1000) with { Rotation = TargetsTests.Rotation(1000) };
        var json = JsonNode.Parse(Drover.Bench.Report.Json(Report(run with { Targets = Targets.Evaluate(run) })))!;

        var result = json["results"]![0]!.AsObject();
        foreach (var field in (string[])["build", "agents", "convergeSeconds", "p50ChangeMs", "p99ChangeMs", "writesPerChild", "steadyStateWrites", "idleRssMb", "peakRssMb", "cpuSeconds", "startupMs", "rotation"])
        {
            Assert.True(result.ContainsKey(field), $"latest.json lacks {field}");
        }

        Assert.Equal("aot", result["build"]!.GetValue<string>());
        Assert.Equal(1000, result["agents"]!.GetValue<int>());
        Assert.Equal(10, result["rotation"]!["maxConcurrentRollouts"]!.GetValue<int>());
        Assert.Equal(1000, result["rotation"]!["rolledExactlyOnce"]!.GetValue<int>());
        Assert.Equal("<= 1.1", result["targets"]![1]!["target"]!.GetValue<string>());
        Assert.Equal("Test CPU", json["machine"]!["cpu"]!.GetValue<string>());
        Assert.Equal("abc123", json["machine"]!["commit"]!.GetValue<string>());
    }

    [Fact]
    public void The_markdown_table_has_a_row_per_run_and_marks_misses()
    {
        var good = TargetsTests.Run("aot", 1000);
        var bad = TargetsTests.Run("aot", 10_000) with { PeakRssMb = 480 };
        var markdown = Drover.Bench.Report.Markdown(Report(good with { Targets = Targets.Evaluate(good) }, bad with { Targets = Targets.Evaluate(bad) }));

        var rows = markdown.Split('\n').Where(l => l.StartsWith("| aot |", StringComparison.Ordinal)).ToList();
        Assert.Contains(rows, r => r.Contains("| 1,000 |", StringComparison.Ordinal) && r.Contains("all 5 met", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("| 10,000 |", StringComparison.Ordinal) && r.Contains("MISSED: peak RSS at 10,000 agents", StringComparison.Ordinal));
        Assert.Contains("| aot | 10,000 | peak RSS at 10,000 agents | < 150 MB | 480.0 MB | **MISSED** |", markdown);
        Assert.Contains("Test CPU, 2 cores", markdown);
    }
}
