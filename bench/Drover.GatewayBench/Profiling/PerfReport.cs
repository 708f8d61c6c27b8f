using System.Globalization;
using System.Text.RegularExpressions;

namespace Drover.GatewayBench.Profiling;

/// <summary>One symbol of a perf report: the share of samples with it on the stack (children) and at the top (self).</summary>
internal sealed record PerfSymbol(string Symbol, bool Kernel, double ChildrenPercent, double SelfPercent);

/// <summary>A share of drover-gateway's CPU: the samples with a frame of <paramref name="Area"/> on the stack.</summary>
internal sealed record ProfileArea(string Area, double Percent);

/// <summary>Where drover-gateway's CPU went while it served a rate, from <c>perf record -g</c>.</summary>
internal sealed record ProfileResult
{
    public required int Rate { get; init; }

    public required long Samples { get; init; }

    /// <summary>Shares of samples by area; they overlap where one area calls another (the proxy calls the HTTP client).</summary>
    public required IReadOnlyList<ProfileArea> Areas { get; init; }

    /// <summary>The symbols most often at the top of the stack.</summary>
    public required IReadOnlyList<ProfileArea> TopSelf { get; init; }

    public string? Report { get; init; }
}

/// <summary>
/// Reads <c>perf report --stdio --children --sort symbol -g none</c> of the NativeAOT gateway (symbols from its
/// .dbg file: <c>Assembly_Namespace_Type__Method</c>) and sums it into areas a reader can act on.
/// </summary>
internal static partial class PerfReport
{
    /// <summary>Areas by the symbols that open them; the share is the largest children share among those symbols.</summary>
    public static readonly IReadOnlyList<(string Area, Func<PerfSymbol, bool> Matches)> Areas =
    [
        ("request path (ModelProxy.ServeAsync and all it calls)", s => s.Symbol.Contains("Drover_Gateway_Proxy_ModelProxy__ServeAsync", StringComparison.Ordinal)),
        ("HTTP server (Kestrel, ASP.NET Core)", s => s.Symbol.StartsWith("Microsoft_AspNetCore_", StringComparison.Ordinal)),
        ("HTTP client to the provider (SocketsHttpHandler)", s => s.Symbol.StartsWith("System_Net_Http_", StringComparison.Ordinal)),
        ("the log line per request (Microsoft.Extensions.Logging, JSON console)", s => s.Symbol.StartsWith("Microsoft_Extensions_Logging", StringComparison.Ordinal)),
        ("Prometheus metrics (prometheus-net)", s => s.Symbol.StartsWith("Prometheus_", StringComparison.Ordinal)),
        ("GenAI metrics (System.Diagnostics.Metrics)", s => s.Symbol.Contains("Drover_Gateway_Telemetry_GenAiMetrics", StringComparison.Ordinal) || s.Symbol.StartsWith("System_Diagnostics_DiagnosticSource_System_Diagnostics_Metrics", StringComparison.Ordinal)),
        ("request body parse and rewrite (ModelRequest)", s => s.Symbol.Contains("Drover_Gateway_Wire_ModelRequest", StringComparison.Ordinal)),
        ("usage read from the answer (JsonBodyScanner, SSE, ResponseUsage)", s => s.Symbol.Contains("Drover_Gateway_Wire_JsonBodyScanner", StringComparison.Ordinal) || s.Symbol.Contains("Drover_Gateway_Wire_SseEventSplitter", StringComparison.Ordinal) || s.Symbol.Contains("Drover_Gateway_Wire_ResponseUsage", StringComparison.Ordinal)),
        ("admission (budgets, limits)", s => s.Symbol.Contains("Drover_Gateway_Admission_", StringComparison.Ordinal)),
        ("authentication (key digest lookup)", s => s.Symbol.Contains("Drover_Gateway_Configuration_GatewayDirectory__Authenticate", StringComparison.Ordinal)),
        ("garbage collection", s => s.Symbol.StartsWith("WKS::", StringComparison.Ordinal) || s.Symbol.StartsWith("SVR::", StringComparison.Ordinal)),
        ("thread pool waiting for work (spinning, futex)", s => s.Symbol.Contains("LowLevelLifoSemaphore__Wait", StringComparison.Ordinal)),
        ("socket I/O loop (epoll)", s => s.Symbol.Contains("SocketAsyncEngine__EventLoop", StringComparison.Ordinal)),
    ];

    public static (long Samples, IReadOnlyList<PerfSymbol> Symbols) Parse(string report)
    {
        ArgumentNullException.ThrowIfNull(report);
        long samples = 0;
        var symbols = new List<PerfSymbol>();
        foreach (var line in report.Split('\n'))
        {
            var header = SamplesLine().Match(line);
            if (header.Success)
            {
                // perf rounds large counts: "6K", "1M".
                var count = double.Parse(header.Groups[1].Value, CultureInfo.InvariantCulture);
                samples += (long)(count * header.Groups[2].Value switch { "K" => 1_000, "M" => 1_000_000, _ => 1 });
                continue;
            }

            var row = SymbolLine().Match(line);
            if (row.Success)
            {
                symbols.Add(new PerfSymbol(
                    row.Groups[4].Value,
                    row.Groups[3].Value == "k",
                    double.Parse(row.Groups[1].Value, CultureInfo.InvariantCulture),
                    double.Parse(row.Groups[2].Value, CultureInfo.InvariantCulture)));
            }
        }

        return (samples, symbols);
    }

    /// <summary>Each area's share (largest children share of its symbols), the kernel's (sum of its self shares), largest first.</summary>
    public static IReadOnlyList<ProfileArea> Summarize(IReadOnlyList<PerfSymbol> symbols)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        var areas = Areas
            .Select(a => new ProfileArea(a.Area, symbols.Where(a.Matches).Select(s => s.ChildrenPercent).DefaultIfEmpty(0).Max()))
            .Append(new ProfileArea("kernel (syscalls, TCP on loopback, scheduling; self time)", Math.Round(symbols.Where(s => s.Kernel).Sum(s => s.SelfPercent), 2)))
            .Where(a => a.Percent > 0)
            .OrderByDescending(a => a.Percent)
            .ToList();
        return areas;
    }

    public static IReadOnlyList<ProfileArea> TopSelf(IReadOnlyList<PerfSymbol> symbols, int count)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        return [.. symbols.Where(s => s.SelfPercent > 0).OrderByDescending(s => s.SelfPercent).Take(count).Select(s => new ProfileArea((s.Kernel ? "[k] " : "") + s.Symbol, s.SelfPercent))];
    }

    [GeneratedRegex(@"^# Samples: ([\d.]+)([KM]?) ")]
    private static partial Regex SamplesLine();

    // "    45.12%     0.51%  [.] Symbol    -   -": children, self, [k] or [.], the symbol (perf may add IPC columns).
    [GeneratedRegex(@"^\s*([\d.]+)%\s+([\d.]+)%\s+\[(.)\]\s+(\S+)")]
    private static partial Regex SymbolLine();
}
