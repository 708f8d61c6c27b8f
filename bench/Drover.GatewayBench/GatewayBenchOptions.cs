using System.Globalization;
using Drover.Bench;
using Drover.GatewayBench.Paths;
using Drover.GatewayBench.Stub;

namespace Drover.GatewayBench;

/// <summary>What <c>make bench-gateway</c> measures, for how long, and with which binaries.</summary>
internal sealed record GatewayBenchOptions
{
    public const string Usage = """
        Usage: Drover.GatewayBench [options]
               Drover.GatewayBench stub [--port N] [--delay 0ms] [--tokens 200] [--chunk-tokens 10]

        Starts an upstream stub, a dev cluster with drover-gateway on it, and the Portkey gateway, each in its own
        process, then loads three paths to the stub side by side (direct, through drover-gateway, through Portkey) and
        writes gateway.json and gateway.md.

        Options:
          --rates 100,250,500,1000,1500,2000,3000   open-loop request rates (req/s), JSON answers; each on every path
          --stream-rates 100,500           open-loop rates of streamed answers (time to first byte)
          --concurrency 1,16,64            closed-loop callers
          --duration 8s                    time on each path at each rate and concurrency
          --slice 1s                       a level runs the paths in turn, this long each, until each had
                                           --duration: load from others on the machine falls on all alike
          --warmup 3000                    requests on each path before measuring (JIT, V8 tiers, connection
                                           pools); two thirds JSON, one third streamed, 8 callers
          --paths direct,drover,portkey    which paths to measure (direct is the baseline; always measured)
          --stub-delay 0ms                 the stub's fixed time before answering
          --tokens 200                     completion tokens per answer
          --chunk-tokens 10                tokens per streamed chunk
          --doubling-floor 1ms             a rate is sustained while p99 stays within 2x the lowest rate's p99, or
                                           within this much above it (sub-millisecond noise is not queueing)
          --budget-tokens 50000            tokensPerDay of the budgeted agent (0 skips the budget phase)
          --budget-concurrency 64          callers spending that budget at once
          --max-in-flight 1024             open-loop requests outstanding at most per path (connections)
          --profile on                     perf-record drover-gateway at 1,000 req/s after the rates, where perf
                                           is installed (off: skip)
          --out DIR                        results and logs (bench/results)
          --gateway PATH                   drover-gateway binary (artifacts/publish/linux-x64/drover-gateway)
          --gateway-env NAME=VALUE         an environment variable for drover-gateway (repeatable), for experiments
                                           such as DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0
          --dev-cluster PATH               Drover.DevCluster.dll (artifacts/bench/devcluster/Drover.DevCluster.dll)
          --portkey DIR                    where @portkey-ai/gateway is installed (.tools/portkey)
          --node PATH                      node (node)
          -h, --help                       show this text
        """;

    public IReadOnlyList<int> Rates { get; init; } = [100, 250, 500, 1000, 1500, 2000, 3000];

    public IReadOnlyList<int> StreamRates { get; init; } = [100, 500];

    public IReadOnlyList<int> Concurrency { get; init; } = [1, 16, 64];

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(8);

    public TimeSpan Slice { get; init; } = TimeSpan.FromSeconds(1);

    public int WarmupRequests { get; init; } = 3000;

    public bool Profile { get; init; } = true;

    public IReadOnlyList<string> Paths { get; init; } = BenchPath.All;

    public StubOptions Stub { get; init; } = StubOptions.Default;

    public TimeSpan DoublingFloor { get; init; } = TimeSpan.FromMilliseconds(1);

    public long BudgetTokens { get; init; } = 50_000;

    public int BudgetConcurrency { get; init; } = 64;

    public int MaxInFlight { get; init; } = 1024;

    public string Out { get; init; } = Path.Combine("bench", "results");

    public string GatewayBinary { get; init; } = Path.Combine("artifacts", "publish", "linux-x64", "drover-gateway");

    public IReadOnlyDictionary<string, string> GatewayEnvironment { get; init; } = new Dictionary<string, string>();

    public string DevClusterAssembly { get; init; } = Path.Combine("artifacts", "bench", "devcluster", "Drover.DevCluster.dll");

    public string PortkeyDirectory { get; init; } = Path.Combine(".tools", "portkey");

    public string Node { get; init; } = "node";

    /// <summary>Portkey's server script under <see cref="PortkeyDirectory"/>.</summary>
    public string PortkeyScript => Path.Combine(PortkeyDirectory, "node_modules", "@portkey-ai", "gateway", "build", "start-server.js");

    public static GatewayBenchOptions? Parse(IReadOnlyList<string> args, out string? error, out bool help)
    {
        var pairs = OptionValues.Pairs(args, out error, out help);
        if (pairs is null)
        {
            return null;
        }

        var options = new GatewayBenchOptions();
        foreach (var (name, value) in pairs)
        {
            switch (name)
            {
                case "--rates" or "--stream-rates" or "--concurrency":
                    if (OptionValues.PositiveList(value) is not { } list)
                    {
                        error = $"{name} takes whole numbers of at least 1 such as 100,1000, not \"{value}\"";
                        return null;
                    }

                    list = [.. list.Distinct().Order()];
                    options = name switch
                    {
                        "--rates" => options with { Rates = list },
                        "--stream-rates" => options with { StreamRates = list },
                        _ => options with { Concurrency = list },
                    };
                    break;
                case "--duration" or "--slice" or "--stub-delay" or "--doubling-floor":
                    var zeroAllowed = name is not ("--duration" or "--slice");
                    if (!OptionValues.TryDuration(value, out var duration, allowZero: zeroAllowed))
                    {
                        error = $"{name} must be a duration such as 500ms, 8s or 1m{(zeroAllowed ? " (0ms allowed)" : "")}, not \"{value}\"";
                        return null;
                    }

                    options = name switch
                    {
                        "--duration" => options with { Duration = duration },
                        "--slice" => options with { Slice = duration },
                        "--stub-delay" => options with { Stub = options.Stub with { Delay = duration } },
                        _ => options with { DoublingFloor = duration },
                    };
                    break;
                case "--paths":
                    var paths = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => p.ToLowerInvariant()).ToList();
                    if (paths.Count == 0 || paths.Any(p => !BenchPath.All.Contains(p)))
                    {
                        error = $"--paths takes {string.Join(", ", BenchPath.All)}, not \"{value}\"";
                        return null;
                    }

                    // Direct is what every other path is compared with, so it is always measured, and first.
                    options = options with { Paths = [.. BenchPath.All.Where(p => p == BenchPath.Direct || paths.Contains(p))] };
                    break;
                case "--profile":
                    if (value is not ("on" or "off"))
                    {
                        error = $"--profile takes on or off, not \"{value}\"";
                        return null;
                    }

                    options = options with { Profile = value == "on" };
                    break;
                case "--tokens" or "--chunk-tokens" or "--budget-concurrency" or "--max-in-flight" or "--warmup":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
                    {
                        error = $"{name} must be a whole number of at least 1, not \"{value}\"";
                        return null;
                    }

                    options = name switch
                    {
                        "--tokens" => options with { Stub = options.Stub with { CompletionTokens = number } },
                        "--chunk-tokens" => options with { Stub = options.Stub with { ChunkTokens = number } },
                        "--budget-concurrency" => options with { BudgetConcurrency = number },
                        "--warmup" => options with { WarmupRequests = number },
                        _ => options with { MaxInFlight = number },
                    };
                    break;
                case "--budget-tokens":
                    if (!long.TryParse(value.Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var tokens))
                    {
                        error = $"--budget-tokens must be a whole number (0 skips the budget phase), not \"{value}\"";
                        return null;
                    }

                    options = options with { BudgetTokens = tokens };
                    break;
                case "--out":
                    options = options with { Out = value };
                    break;
                case "--gateway":
                    options = options with { GatewayBinary = value };
                    break;
                case "--gateway-env":
                    var equals = value.IndexOf('=', StringComparison.Ordinal);
                    if (equals < 1)
                    {
                        error = $"--gateway-env takes NAME=VALUE, not \"{value}\"";
                        return null;
                    }

                    options = options with { GatewayEnvironment = new Dictionary<string, string>(options.GatewayEnvironment, StringComparer.Ordinal) { [value[..equals]] = value[(equals + 1)..] } };
                    break;
                case "--dev-cluster":
                    options = options with { DevClusterAssembly = value };
                    break;
                case "--portkey":
                    options = options with { PortkeyDirectory = value };
                    break;
                case "--node":
                    options = options with { Node = value };
                    break;
                default:
                    error = $"unknown option {name} (see --help)";
                    return null;
            }
        }

        return options;
    }

    /// <summary>The stub subcommand's options: its port (0: any) and how it answers.</summary>
    public static (int Port, StubOptions Stub)? ParseStub(IReadOnlyList<string> args, out string? error)
    {
        var pairs = OptionValues.Pairs(args, out error, out var help);
        if (help)
        {
            error = "usage: Drover.GatewayBench stub [--port N] [--delay 0ms] [--tokens 200] [--chunk-tokens 10]";
            return null;
        }

        if (pairs is null)
        {
            return null;
        }

        var port = 0;
        var stub = StubOptions.Default;
        foreach (var (name, value) in pairs)
        {
            if (name == "--delay")
            {
                if (!OptionValues.TryDuration(value, out var delay, allowZero: true))
                {
                    error = $"--delay must be a duration such as 0ms or 5ms, not \"{value}\"";
                    return null;
                }

                stub = stub with { Delay = delay };
                continue;
            }

            if (name is not ("--port" or "--tokens" or "--chunk-tokens"))
            {
                error = $"unknown stub option {name}";
                return null;
            }

            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || (name == "--port" ? number > 65535 : number < 1))
            {
                error = $"{name} takes a whole number{(name == "--port" ? " up to 65535" : " of at least 1")}, not \"{value}\"";
                return null;
            }

            (port, stub) = name switch
            {
                "--port" => (number, stub),
                "--tokens" => (port, stub with { CompletionTokens = number }),
                _ => (port, stub with { ChunkTokens = number }),
            };
        }

        return (port, stub);
    }

    /// <summary>The stub subcommand's arguments for these options.</summary>
    public IReadOnlyList<string> StubArguments() =>
    [
        "stub",
        "--port", "0",
        "--delay", Stub.Delay.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms",
        "--tokens", Stub.CompletionTokens.ToString(CultureInfo.InvariantCulture),
        "--chunk-tokens", Stub.ChunkTokens.ToString(CultureInfo.InvariantCulture),
    ];
}
