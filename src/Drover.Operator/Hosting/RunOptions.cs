using System.Globalization;

namespace Drover.Operator.Hosting;

/// <summary>
/// The settings of <c>drover run</c>. Each comes from a flag or, when the flag is absent, from an environment
/// variable (what a Helm chart sets), else a default.
/// </summary>
public sealed record RunOptions
{
    /// <summary>Namespaces to watch; empty watches the whole cluster.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary>Concurrent reconciles per kind.</summary>
    public int Workers { get; init; } = 4;

    public bool LeaderElect { get; init; }

    public string LeaderElectionNamespace { get; init; } = "default";

    /// <summary>
    /// The pod this replica runs as (POD_NAME, from the downward API), which names it in the leader Lease. Null outside a
    /// pod; the host name stands in then.
    /// </summary>
    public string? PodName { get; init; }

    /// <summary>Where /metrics listens, as <c>[host]:port</c>; empty turns it off.</summary>
    public string MetricsAddress { get; init; } = ":8080";

    /// <summary>Where /healthz and /readyz listen, as <c>[host]:port</c>; empty turns them off.</summary>
    public string HealthAddress { get; init; } = ":8081";

    /// <summary><c>json</c> (one object a line, for log collectors) or <c>text</c> (for people).</summary>
    public string LogFormat { get; init; } = "json";

    public string? AgentOtlpEndpoint { get; init; }

    public int MaxConcurrentRollouts { get; init; } = 10;

    /// <summary>Every cached object is reconciled again this often, to catch drift no event reported.</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromMinutes(10);

    public string? Kubeconfig { get; init; }

    /// <summary>The kubeconfig context to use instead of its current-context.</summary>
    public string? Context { get; init; }

    /// <summary>Exit 0 once every Agent and Schedule is Ready (for scripts and tests).</summary>
    public bool ExitWhenReady { get; init; }

    /// <summary>The usage text <c>drover run --help</c> prints.</summary>
    public const string Usage = """
        Usage: drover run [options]

        Runs the operator: reconciles ModelProviders, Agents and Schedules until stopped.

        Options (each also read from the environment variable shown):
          --namespaces a,b                 namespaces to watch; all when empty        DROVER_NAMESPACES
          --workers N                      concurrent reconciles per kind (4)         DROVER_WORKERS
          --leader-elect[=true|false]      run as one of several replicas (false)     DROVER_LEADER_ELECT
          --leader-election-namespace NS   namespace of the Lease                     DROVER_LEADER_ELECTION_NAMESPACE
                                           (POD_NAMESPACE, else default)
          --metrics-address [HOST]:PORT    where /metrics listens (:8080; "" = off)   DROVER_METRICS_ADDRESS
          --health-address [HOST]:PORT     where /healthz, /readyz listen (:8081)     DROVER_HEALTH_ADDRESS
          --log-format json|text           log format (json)                          DROVER_LOG_FORMAT
          --agent-otlp-endpoint URL        OTLP endpoint handed to agent pods         DROVER_AGENT_OTLP_ENDPOINT
          --max-concurrent-rollouts N      agents rolling a new configuration at once DROVER_MAX_CONCURRENT_ROLLOUTS
                                           (10)
          --resync-period DURATION         full reconcile of everything (10m)         DROVER_RESYNC_PERIOD
          --kubeconfig PATH                cluster to use; else KUBECONFIG, else      KUBECONFIG
                                           in-cluster, else ~/.kube/config
          --context NAME                   kubeconfig context (its current-context)   DROVER_CONTEXT
          --exit-when-ready                exit 0 once every Agent and Schedule is Ready
          -h, --help                       show this text

        Tracing is exported with OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set. POD_NAME, when set, names this
        replica in the leader Lease.
        """;

    private static readonly Dictionary<string, string> EnvironmentNames = new(StringComparer.Ordinal)
    {
        ["namespaces"] = "DROVER_NAMESPACES",
        ["workers"] = "DROVER_WORKERS",
        ["leader-elect"] = "DROVER_LEADER_ELECT",
        ["leader-election-namespace"] = "DROVER_LEADER_ELECTION_NAMESPACE",
        ["metrics-address"] = "DROVER_METRICS_ADDRESS",
        ["health-address"] = "DROVER_HEALTH_ADDRESS",
        ["log-format"] = "DROVER_LOG_FORMAT",
        ["agent-otlp-endpoint"] = "DROVER_AGENT_OTLP_ENDPOINT",
        ["max-concurrent-rollouts"] = "DROVER_MAX_CONCURRENT_ROLLOUTS",
        ["resync-period"] = "DROVER_RESYNC_PERIOD",
        ["exit-when-ready"] = "DROVER_EXIT_WHEN_READY",
        ["kubeconfig"] = "",
        ["context"] = "DROVER_CONTEXT",
    };

    private static readonly HashSet<string> Switches = new(StringComparer.Ordinal) { "leader-elect", "exit-when-ready" };

    /// <summary>
    /// Reads <paramref name="args"/> (<c>--name value</c>, <c>--name=value</c>, or a bare switch) over
    /// <paramref name="environment"/>. Returns null and sets <paramref name="error"/> when something is wrong, and
    /// sets <paramref name="help"/> when help was asked for.
    /// </summary>
    public static RunOptions? Parse(IReadOnlyList<string> args, Func<string, string?> environment, out string? error, out bool help)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        error = null;
        help = false;
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                help = true;
                return null;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                error = $"unexpected argument \"{arg}\"; options start with -- (see drover run --help)";
                return null;
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg[2..] : arg[2..equals];
            if (!EnvironmentNames.ContainsKey(name))
            {
                error = $"unknown option --{name} (see drover run --help)";
                return null;
            }

            if (equals >= 0)
            {
                given[name] = arg[(equals + 1)..];
            }
            else if (Switches.Contains(name))
            {
                given[name] = "true";
            }
            else if (i + 1 < args.Count)
            {
                given[name] = args[++i];
            }
            else
            {
                error = $"option --{name} needs a value";
                return null;
            }
        }

        string? Value(string name)
        {
            if (given.TryGetValue(name, out var flag))
            {
                return flag;
            }

            var variable = EnvironmentNames[name];
            return variable.Length == 0 ? null : environment(variable);
        }

        var defaults = new RunOptions();
        var podNamespace = environment("POD_NAMESPACE");
        var options = defaults with
        {
            Namespaces = (Value("namespaces") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            LeaderElectionNamespace = NonEmpty(Value("leader-election-namespace")) ?? NonEmpty(podNamespace) ?? defaults.LeaderElectionNamespace,
            MetricsAddress = Value("metrics-address") ?? defaults.MetricsAddress,
            HealthAddress = Value("health-address") ?? defaults.HealthAddress,
            AgentOtlpEndpoint = NonEmpty(Value("agent-otlp-endpoint")),
            Kubeconfig = NonEmpty(Value("kubeconfig")),
            Context = NonEmpty(Value("context")),
            PodName = NonEmpty(environment("POD_NAME")),
        };

        var problems = new List<string>();
        options = options with
        {
            Workers = Integer("workers", Value("workers"), defaults.Workers, problems),
            MaxConcurrentRollouts = Integer("max-concurrent-rollouts", Value("max-concurrent-rollouts"), defaults.MaxConcurrentRollouts, problems),
            LeaderElect = Boolean("leader-elect", Value("leader-elect"), problems),
            ExitWhenReady = Boolean("exit-when-ready", Value("exit-when-ready"), problems),
            ResyncPeriod = Duration("resync-period", Value("resync-period"), defaults.ResyncPeriod, problems),
        };

        var format = (Value("log-format") ?? defaults.LogFormat).Trim().ToLowerInvariant();
        if (format is not ("json" or "text"))
        {
            problems.Add($"--log-format must be json or text, not \"{format}\"");
        }

        options = options with { LogFormat = format };
        foreach (var (name, address) in new[] { ("metrics-address", options.MetricsAddress), ("health-address", options.HealthAddress) })
        {
            if (address.Length > 0 && !ListenAddress.TryParse(address, out _))
            {
                problems.Add($"--{name} must be [host]:port, for example :8080 or 127.0.0.1:8080, not \"{address}\"");
            }
        }

        if (problems.Count > 0)
        {
            error = string.Join("; ", problems);
            return null;
        }

        return options;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static int Integer(string name, string? value, int fallback, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= 1)
        {
            return number;
        }

        problems.Add($"--{name} must be a whole number of at least 1, not \"{value}\"");
        return fallback;
    }

    private static bool Boolean(string name, string? value, List<string> problems)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case null or "" or "false" or "0" or "no":
                return false;
            case "true" or "1" or "yes":
                return true;
            default:
                problems.Add($"--{name} must be true or false, not \"{value}\"");
                return false;
        }
    }

    private static TimeSpan Duration(string name, string? value, TimeSpan fallback, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        // Go-style durations as Kubernetes tooling writes them: 30s, 10m, 1h.
        var text = value.Trim();
        var unit = text[^1];
        if (double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount > 0)
        {
            switch (unit)
            {
                case 's':
                    return TimeSpan.FromSeconds(amount);
                case 'm':
                    return TimeSpan.FromMinutes(amount);
                case 'h':
                    return TimeSpan.FromHours(amount);
            }
        }

        problems.Add($"--{name} must be a duration such as 30s, 10m or 1h, not \"{value}\"");
        return fallback;
    }
}
