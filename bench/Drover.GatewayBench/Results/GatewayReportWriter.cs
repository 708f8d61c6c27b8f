using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Drover.GatewayBench.Paths;

namespace Drover.GatewayBench.Results;

/// <summary>Writes gateway.json and gateway.md, and the three-path table printed at the end of a run.</summary>
internal static class GatewayReportWriter
{
    // Relaxed escaping keeps "<= 2 ms" readable; the file is read by people and by jq, never embedded in HTML.
    private static readonly JsonSerializerOptions JsonOptions = new(GatewayJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Json(GatewayReport report) => JsonSerializer.Serialize(report, JsonOptions.GetTypeInfo(typeof(GatewayReport)));

    public static string Markdown(GatewayReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        var m = report.Machine;
        var s = report.Settings;
        md.AppendLine("# Gateway benchmark").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {m.Cpu}, {m.Cores} cores, {m.MemoryGb:0.#} GB, {m.Os}, {m.Dotnet}, commit {m.Commit}. Load average (1, 5, 15 min) {report.LoadAverage}.");
        md.AppendLine(CultureInfo.InvariantCulture, $"Settings: {s.DurationSeconds:0.#} s per path and level, in {s.SliceSeconds:0.#} s slices taken by the paths in turn, after {s.WarmupRequests:N0} warm-up requests per path; stub delay {s.StubDelayMs:0.###} ms, {s.CompletionTokens} completion tokens ({s.ChunkTokens} per streamed chunk); at most {s.MaxInFlight} requests in flight per path{(s.GatewayEnvironment.Count == 0 ? "" : "; drover-gateway run with " + string.Join(", ", s.GatewayEnvironment.Select(e => e.Key + "=" + e.Value)))}. Run took {report.WallSeconds / 60:0.0} min ({report.GeneratedAt:yyyy-MM-dd HH:mm} UTC).");
        md.AppendLine();
        foreach (var path in report.Paths)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {path.Path}: {path.Runs ?? "-"}{(path.Failure is null ? "" : " — FAILED: " + path.Failure)}");
        }

        md.AppendLine();
        md.AppendLine(Table(report));
        md.AppendLine("Added: over the direct path at the same rate (the stub and the load generator are the same on every path). Max sustained: the highest open-loop rate answered fully, on pace, with p99 within twice the path's p99 at the lowest rate (or within the doubling floor above it), every lower rate too; \">=\" when the path sustained every rate run. Latency is from each request's scheduled send time (open loop), so queueing in front of a path counts. RSS: VmRSS after start with no requests (idle), the largest sampled under load, VmHWM at the end (peak). CPU: the gateway process's user + system seconds per 1,000 answered requests at 1,000 req/s.");
        md.AppendLine();
        md.AppendLine("## Targets").AppendLine();
        md.AppendLine("| Target | Goal | Actual | Ratio | |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var t in report.Targets)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {t.Name} | {t.Goal} | {t.Actual} | {t.Ratio ?? "-"} | {(t.Met ? "pass" : "**MISS**")} |");
        }

        md.AppendLine();
        md.AppendLine("## Open-loop rates (JSON answers)").AppendLine();
        md.AppendLine(LevelTable(report, LevelResult.RateMode, stream: false));
        md.AppendLine("## Streamed answers (open loop): time to first byte").AppendLine();
        md.AppendLine(LevelTable(report, LevelResult.RateMode, stream: true));
        md.AppendLine("## Closed loop (fixed callers, JSON answers)").AppendLine();
        md.AppendLine(LevelTable(report, LevelResult.ConcurrencyMode, stream: false));
        md.AppendLine("## Where the CPU went (seconds per 1,000 answered requests)").AppendLine();
        md.AppendLine(CpuTable(report));
        if (report.Profile is { } profile)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"## Where drover-gateway's CPU goes (perf, {profile.Rate:N0} req/s)").AppendLine();
            md.AppendLine(ProfileText(profile));
        }

        if (report.Budget is { } b)
        {
            md.AppendLine("## Budget under load (drover-gateway)").AppendLine();
            md.AppendLine(BudgetText(b));
        }

        return md.ToString();
    }

    /// <summary>The three paths side by side: what the run printed last.</summary>
    public static string Table(GatewayReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        md.AppendLine("| Path | Max sustained req/s | Added p50 / p99 ms at 1,000 req/s | Closed-loop max req/s | Streamed first byte p50 / p99 ms | CPU s per 1k req | RSS idle / loaded / peak MB |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var p in report.Paths)
        {
            if (p.Failure is not null)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {p.Path} | FAILED: {p.Failure} | | | | | |");
                continue;
            }

            var at1000 = report.Levels.FirstOrDefault(l => l.Path == p.Path && l.Mode == LevelResult.RateMode && !l.Stream && l.Offered == GatewayTargets.TargetRate);
            var added = p.Path == BenchPath.Direct
                ? at1000 is { Skipped: null } d ? $"({F(d.P50Ms, 2)} / {F(d.P99Ms, 2)})" : "-"
                : at1000 is { Skipped: null, AddedP50Ms: { } a50, AddedP99Ms: { } a99 } ? $"{Signed(a50)} / {Signed(a99)}" : at1000?.Skipped is not null ? "fell behind" : "-";
            var sustained = p.MaxSustainedRate is { } rate ? (p.SustainedEveryRate ? ">= " : "") + rate.ToString("N0", CultureInfo.InvariantCulture) : "none";
            var cpu = p.CpuPer1k is { } c ? F(c, 3) + (p.CpuPer1kRate is { } r && r != GatewayTargets.TargetRate ? $" (at {r:N0})" : "") : "-";
            md.AppendLine(CultureInfo.InvariantCulture, $"| {p.Path} | {sustained} | {added} | {Opt(p.ClosedLoopMaxPerSecond, 0)} | {Opt(p.FirstByteP50Ms, 2)} / {Opt(p.FirstByteP99Ms, 2)} | {cpu} | {Opt(p.IdleRssMb, 1)} / {Opt(p.LoadedRssMb, 1)} / {Opt(p.PeakRssMb, 1)} |");
        }

        return md.ToString();
    }

    /// <summary>One row per level, one column per path: p50 / p99 (added p99) and a mark where a rate was not sustained.</summary>
    public static string LevelTable(GatewayReport report, string mode, bool stream)
    {
        ArgumentNullException.ThrowIfNull(report);
        var paths = report.Paths.Where(p => p.Failure is null).Select(p => p.Path).ToList();
        var levels = report.Levels.Where(l => l.Mode == mode && l.Stream == stream).ToList();
        if (levels.Count == 0)
        {
            return "Not run.\n";
        }

        var md = new StringBuilder();
        var unit = mode == LevelResult.RateMode ? "req/s" : "callers";
        var cell = stream ? "first byte p50 / p99 ms (added p99), total p99" : mode == LevelResult.RateMode ? "p50 / p99 ms (added p99)" : "answered/s, p50 / p99 ms (added p99)";
        md.Append(CultureInfo.InvariantCulture, $"| {unit} |");
        foreach (var path in paths)
        {
            md.Append(CultureInfo.InvariantCulture, $" {path}: {cell} |");
        }

        md.AppendLine().Append("|---:|").AppendLine(string.Concat(paths.Select(_ => "---:|")));
        foreach (var offered in levels.Select(l => l.Offered).Distinct().Order())
        {
            md.Append(CultureInfo.InvariantCulture, $"| {offered:N0} |");
            foreach (var path in paths)
            {
                md.Append(' ').Append(Cell(levels.FirstOrDefault(l => l.Path == path && l.Offered == offered), mode, stream)).Append(" |");
            }

            md.AppendLine();
        }

        return md.ToString();
    }

    private static string Cell(LevelResult? level, string mode, bool stream)
    {
        if (level is null)
        {
            return "-";
        }

        if (level.Skipped is not null)
        {
            return "not run (" + level.Skipped + ")";
        }

        var failed = level.Requests - level.Answered;
        var text = stream
            ? $"{F(level.FirstByteP50Ms ?? double.NaN, 2)} / {F(level.FirstByteP99Ms ?? double.NaN, 2)}{Added(level.AddedFirstByteP99Ms)}, {F(level.P99Ms, 2)}"
            : $"{(mode == LevelResult.ConcurrencyMode ? F(level.AnsweredPerSecond, 0) + ", " : "")}{F(level.P50Ms, 2)} / {F(level.P99Ms, 2)}{Added(level.AddedP99Ms)}";
        if (failed > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", {failed} failed");
        }

        if (level.Verdict is { } verdict && verdict != LevelResult.SustainedVerdict)
        {
            text += " **" + verdict + "**";
        }

        return text;
    }

    private static string CpuTable(GatewayReport report)
    {
        var md = new StringBuilder();
        md.AppendLine("| Path | req/s | gateway | stub | harness | drover-gateway GCs gen0/1/2, pauses, KB allocated per request |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var level in report.Levels.Where(l => l.Mode == LevelResult.RateMode && !l.Stream && l.Skipped is null && l.Answered > 0).OrderBy(l => l.Offered))
        {
            var per = 1000.0 / level.Answered;
            md.AppendLine(CultureInfo.InvariantCulture, $"| {level.Path} | {level.Offered:N0} | {Opt(level.GatewayCpuPer1k, 3)} | {F(level.StubCpuSeconds * per, 3)} | {F(level.HarnessCpuSeconds * per, 3)} | {(level.GatewayCollections is { } gc ? $"{string.Join("/", gc)}, {Opt(level.GatewayGcPauseMs, 1)} ms, {Opt(level.GatewayAllocatedKbPerRequest, 1)} KB" : "-")} |");
        }

        return md.ToString();
    }

    public static string BudgetText(BudgetResult b)
    {
        ArgumentNullException.ThrowIfNull(b);
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"An agent with `budget.tokensPerDay: {b.BudgetTokens:N0}` on a provider priced ${b.InputPerMillion}/M input, ${b.OutputPerMillion}/M output; {b.Concurrency} callers spend it at once until refused for 2 s ({b.Seconds:0.0} s).");
        md.AppendLine();
        md.AppendLine("| Admitted | Refused (429) | Other errors | Stub served: requests, tokens, cost | Beyond the budget | One reservation | Gateway metrics tokens | status.usage: requests, tokens, cost, exhausted |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| {b.Admitted:N0} | {b.Refused:N0} | {b.OtherErrors.Values.Sum():N0} | {b.StubRequests:N0}, {b.StubTokens:N0}, ${b.StubCostUsd:0.0000} | {b.OvershootTokens:+#,0;-#,0;0} tokens ({b.OvershootPercent:+0.00;-0.00;0}%), ${b.OvershootCostUsd:+0.000000;-0.000000;0} | {b.ReservationTokens:N0} tokens | {Opt(b.MetricsTokens, 0)} | {b.StatusRequests?.ToString("N0", CultureInfo.InvariantCulture) ?? "-"}, {b.StatusTokens?.ToString("N0", CultureInfo.InvariantCulture) ?? "-"}, {(b.StatusCostUsd is { } c ? "$" + c.ToString("0.0000", CultureInfo.InvariantCulture) : "-")}, {(b.StatusExhausted is { } e ? (e ? "WithinBudget=False" : "still within") : "-")} |");
        return md.ToString();
    }

    public static string ProfileText(Profiling.ProfileResult profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"`perf record -F 1999 -g` of the gateway process, {profile.Samples:N0} samples; the full report is {profile.Report}. Shares of samples with a frame of the area on the stack (areas nest, so they overlap):");
        md.AppendLine();
        md.AppendLine("| Area | Share of gateway CPU |");
        md.AppendLine("|---|---:|");
        foreach (var area in profile.Areas)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {area.Area} | {area.Percent:0.0}% |");
        }

        md.AppendLine();
        md.AppendLine("Most often at the top of the stack:");
        md.AppendLine();
        md.AppendLine("| Symbol | Self |");
        md.AppendLine("|---|---:|");
        foreach (var symbol in profile.TopSelf)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| `{symbol.Area}` | {symbol.Percent:0.0}% |");
        }

        return md.ToString();
    }

    private static string Added(double? added) => added is { } a ? $" ({Signed(a)})" : "";

    private static string Signed(double value) => (value >= 0 ? "+" : "") + F(value, 2);

    private static string Opt(double? value, int decimals) => value is { } v ? F(v, decimals) : "-";

    private static string F(double value, int decimals) =>
        double.IsNaN(value) ? "-" : value.ToString(decimals == 0 ? "N0" : "F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
