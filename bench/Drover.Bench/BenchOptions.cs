using System.Globalization;

namespace Drover.Bench;

/// <summary>What <c>make bench</c> measures and with which binaries.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        Usage: Drover.Bench [options]

        Starts a dev cluster and the operator, each in its own process, drives fleets of Agents through creation, spec
        changes and a provider key rotation, and writes latest.json and latest.md.

        Options:
          --fleets 100,1000,10000        fleet sizes (Agents); one fresh dev cluster and operator per size and build
          --builds aot,jit               operator builds to measure
          --rotation N                   Agents sharing the provider whose key is rotated (1000; capped at the fleet)
          --changes N                    spec changes timed for the change latency (50)
          --other-apps N                 Secrets (Helm releases), ConfigMaps and Services of other applications in the
                                         agents' namespaces, N of each per 100 Agents, there before the operator (20)
          --max-concurrent-rollouts N    handed to the operator (10, its default)
          --resync-period DURATION       handed to the operator, and the steady-state window waits for one (60s)
          --out DIR                      where results and logs go (bench/results)
          --aot PATH                     NativeAOT operator binary (artifacts/publish/linux-x64/drover)
          --jit PATH                     JIT operator, drover.dll (artifacts/bench/jit/drover.dll)
          --dev-cluster PATH             dev cluster, Drover.DevCluster.dll (artifacts/bench/devcluster/Drover.DevCluster.dll)
          -h, --help                     show this text
        """;

    public IReadOnlyList<int> Fleets { get; init; } = [100, 1000, 10_000];

    public IReadOnlyList<string> Builds { get; init; } = ["aot", "jit"];

    public int Rotation { get; init; } = 1000;

    public int Changes { get; init; } = 50;

    /// <summary>Objects of each kind (Secret, ConfigMap, Service) that other applications keep, per 100 Agents.</summary>
    public int OtherApps { get; init; } = 20;

    public int MaxConcurrentRollouts { get; init; } = 10;

    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromSeconds(60);

    public string Out { get; init; } = Path.Combine("bench", "results");

    public string AotBinary { get; init; } = Path.Combine("artifacts", "publish", "linux-x64", "drover");

    public string JitAssembly { get; init; } = Path.Combine("artifacts", "bench", "jit", "drover.dll");

    public string DevClusterAssembly { get; init; } = Path.Combine("artifacts", "bench", "devcluster", "Drover.DevCluster.dll");

    /// <summary>Parses <paramref name="args"/>; null with <paramref name="error"/> set (or <paramref name="help"/>) otherwise.</summary>
    public static BenchOptions? Parse(IReadOnlyList<string> args, out string? error, out bool help)
    {
        var pairs = OptionValues.Pairs(args, out error, out help);
        if (pairs is null)
        {
            return null;
        }

        var options = new BenchOptions();
        foreach (var (name, value) in pairs)
        {
            switch (name)
            {
                case "--fleets":
                    var fleets = OptionValues.PositiveList(value);
                    if (fleets is null)
                    {
                        error = $"--fleets takes sizes such as 100,1000, not \"{value}\"";
                        return null;
                    }

                    options = options with { Fleets = fleets };
                    break;
                case "--builds":
                    var builds = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(b => b.ToLowerInvariant()).Distinct().ToList();
                    if (builds.Count == 0 || builds.Any(b => b is not ("aot" or "jit")))
                    {
                        error = $"--builds takes aot, jit or both, not \"{value}\"";
                        return null;
                    }

                    options = options with { Builds = builds };
                    break;
                case "--rotation" or "--changes" or "--max-concurrent-rollouts":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
                    {
                        error = $"{name} must be a whole number of at least 1, not \"{value}\"";
                        return null;
                    }

                    options = name switch
                    {
                        "--rotation" => options with { Rotation = number },
                        "--changes" => options with { Changes = number },
                        _ => options with { MaxConcurrentRollouts = number },
                    };
                    break;
                case "--other-apps":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var others))
                    {
                        error = $"--other-apps must be a whole number (0 for none), not \"{value}\"";
                        return null;
                    }

                    options = options with { OtherApps = others };
                    break;
                case "--resync-period":
                    if (!OptionValues.TryDuration(value, out var period))
                    {
                        error = $"--resync-period must be a duration such as 30s or 2m, not \"{value}\"";
                        return null;
                    }

                    options = options with { ResyncPeriod = period };
                    break;
                case "--out":
                    options = options with { Out = value };
                    break;
                case "--aot":
                    options = options with { AotBinary = value };
                    break;
                case "--jit":
                    options = options with { JitAssembly = value };
                    break;
                case "--dev-cluster":
                    options = options with { DevClusterAssembly = value };
                    break;
                default:
                    error = $"unknown option {name} (see --help)";
                    return null;
            }
        }

        return options;
    }

    /// <summary>The resync period as the operator's <c>--resync-period</c> reads it.</summary>
    public string ResyncPeriodArgument => ResyncPeriod.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
}
