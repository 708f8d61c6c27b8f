using System.Text.Json.Serialization;
using Drover.Bench;

namespace Drover.GatewayBench.Results;

/// <summary>One path at one load level, as gateway.json holds it.</summary>
internal sealed record LevelResult
{
    public required string Path { get; init; }

    /// <summary><see cref="RateMode"/> (open loop, <see cref="Offered"/> req/s) or <see cref="ConcurrencyMode"/> (closed loop, callers).</summary>
    public required string Mode { get; init; }

    public required bool Stream { get; init; }

    public required int Offered { get; init; }

    /// <summary>Why the level was not run on this path (it fell behind at a lower rate, the path failed); null when it ran.</summary>
    public string? Skipped { get; init; }

    public int Requests { get; init; }

    /// <summary>Requests answered with a whole completion.</summary>
    public int Answered { get; init; }

    public double AnsweredPerSecond { get; init; }

    /// <summary>Failures by reason (a status, an incomplete body, a connection error, the stub not reached).</summary>
    public IReadOnlyDictionary<string, int> Errors { get; init; } = new Dictionary<string, int>();

    /// <summary>Latency in ms, from the due time (open loop) or the send (closed loop) to the last byte.</summary>
    public double P50Ms { get; init; }

    public double P90Ms { get; init; }

    public double P99Ms { get; init; }

    public double MaxMs { get; init; }

    /// <summary>Time to the first byte of the body, in ms, from the due time; streamed levels only.</summary>
    public double? FirstByteP50Ms { get; init; }

    public double? FirstByteP99Ms { get; init; }

    /// <summary>How late the harness sent, 99th percentile, in ms: above a millisecond the harness itself was short of CPU.</summary>
    public double SendLagP99Ms { get; init; }

    /// <summary>Latency over direct's at the same level (the gateway's cost); null for direct.</summary>
    public double? AddedP50Ms { get; init; }

    public double? AddedP99Ms { get; init; }

    public double? AddedFirstByteP50Ms { get; init; }

    public double? AddedFirstByteP99Ms { get; init; }

    /// <summary>Chat completions the stub answered for this path during the level.</summary>
    public long StubServed { get; init; }

    /// <summary>CPU seconds over the level: the gateway of this path (none for direct), the stub, the harness.</summary>
    public double? GatewayCpuSeconds { get; init; }

    public double StubCpuSeconds { get; init; }

    public double HarnessCpuSeconds { get; init; }

    /// <summary>Gateway CPU seconds per 1,000 answered requests.</summary>
    public double? GatewayCpuPer1k { get; init; }

    /// <summary>The gateway's resident memory at the end of the level (VmRSS).</summary>
    public double? GatewayRssMb { get; init; }

    /// <summary>Garbage collections of drover-gateway during the level (gen0, gen1, gen2), from its /metrics.</summary>
    public IReadOnlyList<long>? GatewayCollections { get; init; }

    /// <summary>drover-gateway's GC pauses over the level, in ms (the runtime's dotnet.gc.pause.time).</summary>
    public double? GatewayGcPauseMs { get; init; }

    /// <summary>drover-gateway's allocations per answered request over the level, in KB (dotnet.gc.heap.total_allocated).</summary>
    public double? GatewayAllocatedKbPerRequest { get; init; }

    /// <summary>For rate levels: sustained, or why not (errors, fell behind, p99 doubled).</summary>
    public string? Verdict { get; init; }

    public const string RateMode = "rate";
    public const string ConcurrencyMode = "concurrency";
    public const string SustainedVerdict = "sustained";
}

/// <summary>Everything about one path: whether it worked, its memory, and the figures drawn from its levels.</summary>
internal sealed record PathSummary
{
    public required string Path { get; init; }

    /// <summary>Why the path was not measured (its requests failed, its process did not start); null when it was.</summary>
    public string? Failure { get; init; }

    /// <summary>What the path runs: the binary and version.</summary>
    public string? Runs { get; init; }

    /// <summary>Resident memory after start, before any request (median of a few seconds).</summary>
    public double? IdleRssMb { get; init; }

    /// <summary>The largest resident memory sampled while loaded (VmRSS every 250 ms).</summary>
    public double? LoadedRssMb { get; init; }

    /// <summary>The largest resident memory of the run (VmHWM).</summary>
    public double? PeakRssMb { get; init; }

    /// <summary>p99 at the lowest rate: what "p99 doubles" is measured against.</summary>
    public double? LowLoadP99Ms { get; init; }

    /// <summary>The highest rate sustained, every lower rate sustained too; null when even the lowest was not.</summary>
    public int? MaxSustainedRate { get; init; }

    /// <summary>True when the path sustained every rate run: its limit lies above the highest.</summary>
    public bool SustainedEveryRate { get; init; }

    /// <summary>The most answers per second any closed-loop level got.</summary>
    public double? ClosedLoopMaxPerSecond { get; init; }

    /// <summary>Added p99 at 1,000 req/s (when that rate ran).</summary>
    public double? AddedP99At1000Ms { get; init; }

    /// <summary>Gateway CPU seconds per 1,000 requests at 1,000 req/s, else at the highest sustained rate.</summary>
    public double? CpuPer1k { get; init; }

    public int? CpuPer1kRate { get; init; }

    /// <summary>Streamed answers at the lowest stream rate: time to first byte.</summary>
    public double? FirstByteP50Ms { get; init; }

    public double? FirstByteP99Ms { get; init; }
}

/// <summary>A budget spent by many callers at once: what the gateway let through beyond it.</summary>
internal sealed record BudgetResult
{
    public required long BudgetTokens { get; init; }

    public required decimal InputPerMillion { get; init; }

    public required decimal OutputPerMillion { get; init; }

    public required int Concurrency { get; init; }

    public double Seconds { get; init; }

    /// <summary>Answered 200.</summary>
    public int Admitted { get; init; }

    /// <summary>Refused 429 for the spent budget.</summary>
    public int Refused { get; init; }

    /// <summary>Anything else, by reason.</summary>
    public IReadOnlyDictionary<string, int> OtherErrors { get; init; } = new Dictionary<string, int>();

    /// <summary>What the stub served to the budgeted agent: the truth.</summary>
    public long StubRequests { get; init; }

    public long StubTokens { get; init; }

    public decimal StubCostUsd { get; init; }

    /// <summary>Tokens served beyond the budget (negative: the gateway stopped short of it by that much).</summary>
    public long OvershootTokens { get; init; }

    public double OvershootPercent { get; init; }

    public decimal OvershootCostUsd { get; init; }

    /// <summary>One request's reservation (input estimate + max_tokens): the most the design lets concurrent callers overshoot by.</summary>
    public long ReservationTokens { get; init; }

    /// <summary>What the gateway counted: its metrics (at once) and the Agent's status.usage (written every status interval).</summary>
    public double? MetricsTokens { get; init; }

    public long? StatusTokens { get; init; }

    public long? StatusRequests { get; init; }

    public decimal? StatusCostUsd { get; init; }

    /// <summary>Whether the Agent's status said WithinBudget=False by the end.</summary>
    public bool? StatusExhausted { get; init; }
}

/// <summary>One of the gateway's targets, judged for this run, with the measured ratio.</summary>
internal sealed record GatewayTarget(string Name, string Goal, string Actual, string? Ratio, bool Met);

internal sealed record GatewaySettings(
    IReadOnlyList<int> Rates,
    IReadOnlyList<int> StreamRates,
    IReadOnlyList<int> Concurrency,
    double DurationSeconds,
    double SliceSeconds,
    int WarmupRequests,
    double StubDelayMs,
    int CompletionTokens,
    int ChunkTokens,
    double DoublingFloorMs,
    int MaxInFlight,
    IReadOnlyDictionary<string, string> GatewayEnvironment);

/// <summary>gateway.json.</summary>
internal sealed record GatewayReport
{
    public required DateTimeOffset GeneratedAt { get; init; }

    public required MachineInfo Machine { get; init; }

    public required GatewaySettings Settings { get; init; }

    public required IReadOnlyList<PathSummary> Paths { get; init; }

    public required IReadOnlyList<LevelResult> Levels { get; init; }

    public BudgetResult? Budget { get; init; }

    public Profiling.ProfileResult? Profile { get; init; }

    public IReadOnlyList<GatewayTarget> Targets { get; init; } = [];

    /// <summary>The machine's load average at the start and at the end: others' work on the same cores.</summary>
    public string? LoadAverage { get; init; }

    public double WallSeconds { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(GatewayReport))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
