using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Drover.Bench;

/// <summary>Writes latest.json and latest.md, and the table printed at the end of a run.</summary>
internal static class Report
{
    // Relaxed escaping keeps "<= 1.1" readable; the file is read by people and by jq, never embedded in HTML.
    private static readonly JsonSerializerOptions JsonOptions = new(BenchJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Json(BenchReport report) => JsonSerializer.Serialize(report, JsonOptions.GetTypeInfo(typeof(BenchReport)));

    public static string Markdown(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        var m = report.Machine;
        md.AppendLine("# Drover benchmark").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {m.Cpu}, {m.Cores} cores, {m.MemoryGb:0.#} GB, {m.Os}, {m.Dotnet}, commit {m.Commit}.");
        var s = report.Settings;
        md.AppendLine(CultureInfo.InvariantCulture, $"Settings: rotation of a key shared by {s.Rotation} agents, {s.Changes} timed spec changes, --max-concurrent-rollouts {s.MaxConcurrentRollouts}, --resync-period {s.ResyncPeriodSeconds:0}s, {s.OtherApps} Secrets, ConfigMaps and Services each of other applications per 100 agents. Run took {report.WallSeconds / 60:0.0} min ({report.GeneratedAt:yyyy-MM-dd HH:mm} UTC).");
        md.AppendLine();
        md.AppendLine(Table(report.Results));
        md.AppendLine("Converge: first create to every Agent and Schedule Ready with all children. Change: spec write to the Deployment update seen on a watch. Writes/child: the operator's writes on child kinds while converging, per child (ideal 1). Steady: writes during a full resync after convergence (ideal 0). Cached objects: what the operator's informers hold at steady state, beside the cluster's objects of other applications. CPU: operator / dev cluster seconds while converging. Rotation: agents sharing the rotated key; seconds until all rolled and Ready; most rolling at once / limit; rolled exactly once; child writes per agent (ideal 2).");
        md.AppendLine();
        md.AppendLine("## Targets").AppendLine();
        md.AppendLine("| Build | Agents | Target | Goal | Actual | |");
        md.AppendLine("|---|---:|---|---|---|---|");
        foreach (var run in report.Results)
        {
            foreach (var check in run.Targets)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {run.Build} | {run.Agents:N0} | {check.Name} | {check.Target} | {check.Actual} | {(check.Met ? "met" : "**MISSED**")} |");
            }
        }

        md.AppendLine();
        md.AppendLine("## Where the writes went (converge)").AppendLine();
        foreach (var run in report.Results)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {run.Build} {run.Agents:N0}: {string.Join(", ", run.ConvergeWritesByResource.Select(p => $"{p.Key} {p.Value:N0}"))}");
        }

        return md.ToString();
    }

    /// <summary>One row per build and fleet; a last column names the targets the run missed.</summary>
    public static string Table(IReadOnlyList<RunResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var md = new StringBuilder();
        md.AppendLine("| Build | Agents | Converge s | Change p50 / p99 ms | Writes/child | Steady writes | RSS idle / steady / peak MB | Cached objects (MB packed) | CPU s (op / cluster) | Startup ms | Rotation: agents, s, rolling/limit, once, writes/agent | Targets |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
        foreach (var r in results)
        {
            var rotation = r.Rotation is { } x
                ? string.Create(CultureInfo.InvariantCulture, $"{x.Agents:N0}, {x.Seconds:0.0} s, {x.MaxConcurrentObserved}/{x.MaxConcurrentRollouts}, {x.RolledExactlyOnce:N0}/{x.Agents:N0}, {x.ChildWritesPerAgent:0.00}")
                : "-";
            var missed = r.Targets.Where(t => !t.Met).Select(t => t.Name).ToList();
            var verdict = missed.Count == 0 ? $"all {r.Targets.Count} met" : "MISSED: " + string.Join(", ", missed);
            md.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {r.Build} | {r.Agents:N0} | {r.ConvergeSeconds:0.0} | {r.P50ChangeMs:0} / {r.P99ChangeMs:0} | {r.WritesPerChild:0.00} | {r.SteadyStateWrites} | {r.IdleRssMb:0.0} / {r.SteadyRssMb:0.0} / {r.PeakRssMb:0.0} | {r.CachedObjects:N0} ({r.CachedPackedMb:0.0}) | {r.CpuSeconds:0.0} / {r.DevClusterCpuSeconds:0.0} | {r.StartupMs:0} | {rotation} | {verdict} |"));
        }

        return md.ToString();
    }
}
