using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Drover.ControllerRuntime.Health;
using Drover.Operator.Agents;

namespace Drover.Operator.Hosting;

/// <summary>
/// The settings of <c>drover run</c>. Each comes from a flag or, when the flag is absent, from an environment
/// variable (what a Helm chart sets), else a default.
/// </summary>
internal sealed record RunOptions
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

    /// <summary>The model gateway agents reach their models through; null: agents without spec.model.access go Direct.</summary>
    public Gateway.GatewayEndpoint? Gateway { get; init; }

    public int MaxConcurrentRollouts { get; init; } = 10;

    /// <summary>Where agents with Restricted egress may send DNS queries.</summary>
    public IReadOnlyList<DnsPeer> DnsPeers { get; init; } = DnsPeer.Defaults;

    /// <summary>Every cached object is reconciled again this often, to catch drift no event reported.</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromMinutes(10);

    public string? Kubeconfig { get; init; }

    /// <summary>The kubeconfig context to use instead of its current-context.</summary>
    public string? Context { get; init; }
    /// <summary>How long <c>drover run</c> waits for the API server to answer before it exits 1; zero waits forever.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Exit 0 once every Agent and Schedule is Ready (for scripts and tests).</summary>
    public bool ExitWhenReady { get; init; }

    /// <summary>
    /// Every flag of <c>drover run</c>, each with the environment variable read when the flag is absent (what a Helm
    /// chart sets) and its default. <c>drover run --help</c> lists exactly these.
    /// </summary>
    public static IReadOnlyList<RunFlag> Flags { get; } =
    [
        new("namespaces", "a,b", "DROVER_NAMESPACES", "all", "Namespaces to watch."),
        new("workers", "N", "DROVER_WORKERS", "4", "Concurrent reconciles per kind."),
        new("leader-elect", "true|false", "DROVER_LEADER_ELECT", "false", "Run as one of several replicas; only the holder of the Lease reconciles.", IsSwitch: true),
        new("leader-election-namespace", "NS", "DROVER_LEADER_ELECTION_NAMESPACE", "POD_NAMESPACE, else default", "Namespace of the leader Lease."),
        new("metrics-address", "[HOST]:PORT", "DROVER_METRICS_ADDRESS", ":8080", "Where /metrics listens; \"\" turns it off."),
        new("health-address", "[HOST]:PORT", "DROVER_HEALTH_ADDRESS", ":8081", "Where /healthz and /readyz listen; \"\" turns them off."),
        new("log-format", "json|text", "DROVER_LOG_FORMAT", "json", "Log format: one JSON object a line, or text for people."),
        new("agent-otlp-endpoint", "URL", "DROVER_AGENT_OTLP_ENDPOINT", "none", "OTLP endpoint handed to agent pods (OTEL_EXPORTER_OTLP_ENDPOINT)."),
        new("gateway-url", "URL", "DROVER_GATEWAY_URL", "none", "The model gateway agents reach their models through (http://drover-gateway.<namespace>.svc:8090); agents whose spec.model.access is unset use it."),
        new("max-concurrent-rollouts", "N", "DROVER_MAX_CONCURRENT_ROLLOUTS", "10", "Agents rolling a new configuration at once."),
        new("dns-peers", "NS/LABEL=VALUE|CIDR,...", "DROVER_DNS_PEERS", DnsPeer.DefaultsText, "Where agents with Restricted egress may send DNS queries (ports 53 and 5353, UDP and TCP): DNS pods by namespace and label, or address ranges."),
        new("resync-period", "DURATION", "DROVER_RESYNC_PERIOD", "10m", "Every object is reconciled again this often (30s, 10m, 1h)."),
        new("kubeconfig", "PATH", Environment: null, "KUBECONFIG, else in-cluster, else ~/.kube/config", "The kubeconfig of the cluster to run against."),
        new("context", "NAME", "DROVER_CONTEXT", "the kubeconfig's current-context", "The kubeconfig context to use."),
        new("startup-timeout", "DURATION", "DROVER_STARTUP_TIMEOUT", "60s", "Exit 1 when the API server has not answered for this long at start (0 waits forever)."),
        new("exit-when-ready", "true|false", "DROVER_EXIT_WHEN_READY", "false", "Exit 0 once every Agent and Schedule is Ready (for scripts and tests).", IsSwitch: true),
    ];

    /// <summary>What <c>drover run --help</c> prints after the options.</summary>
    public const string HelpFooter = """
        Tracing is exported with OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set. POD_NAME, when set, names this
        replica in the leader Lease.
        """;

    /// <summary>The text <c>drover run --help</c> prints.</summary>
    public static string Usage
    {
        get
        {
            using var output = new StringWriter();
            DroverCommands.Invoke(["run", "--help"], output, TextWriter.Null);
            return output.ToString();
        }
    }

    /// <summary>
    /// Reads <paramref name="args"/> (<c>--name value</c>, <c>--name=value</c>, or a bare switch) over
    /// <paramref name="environment"/>, as <c>drover run</c> does. Returns null and sets <paramref name="error"/> when
    /// something is wrong, and sets <paramref name="help"/> when help was asked for.
    /// </summary>
    public static RunOptions? Parse(IReadOnlyList<string> args, Func<string, string?> environment, out string? error, out bool help)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var result = DroverCommands.Parse(["run", .. args]);
        help = DroverCommands.AsksForHelp(result);
        error = null;
        return help ? null : Bind(result, environment, out error);
    }

    /// <summary>The options a parsed <c>drover run</c> command line gives, over <paramref name="environment"/>.</summary>
    public static RunOptions? Bind(ParseResult result, Func<string, string?> environment, out string? error)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(environment);
        error = null;
        var problems = new List<string>();
        foreach (var token in result.UnmatchedTokens)
        {
            problems.Add(token.StartsWith('-')
                ? $"unknown option {token.Split('=')[0]} (see drover run --help)"
                : $"unexpected argument \"{token}\"; options start with -- (see drover run --help)");
        }

        foreach (var parseError in result.Errors.Where(e => !result.UnmatchedTokens.Any(t => e.Message.Contains(t, StringComparison.Ordinal))))
        {
            problems.Add(parseError.Message);
        }

        string? Value(RunFlag flag)
        {
            if (result.GetResult("--" + flag.Name) is OptionResult given)
            {
                if (given.Tokens.Count > 0)
                {
                    return given.Tokens[0].Value;
                }

                if (flag.IsSwitch)
                {
                    return "true";
                }

                problems.Add($"option --{flag.Name} needs a value");
                return null;
            }

            return flag.Environment is null ? null : environment(flag.Environment);
        }

        var values = Flags.ToDictionary(f => f.Name, Value, StringComparer.Ordinal);
        var defaults = new RunOptions();
        var options = defaults with
        {
            Namespaces = (values["namespaces"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            LeaderElectionNamespace = NonEmpty(values["leader-election-namespace"]) ?? NonEmpty(environment("POD_NAMESPACE")) ?? defaults.LeaderElectionNamespace,
            MetricsAddress = values["metrics-address"] ?? defaults.MetricsAddress,
            HealthAddress = values["health-address"] ?? defaults.HealthAddress,
            AgentOtlpEndpoint = NonEmpty(values["agent-otlp-endpoint"]),
            Kubeconfig = NonEmpty(values["kubeconfig"]),
            Context = NonEmpty(values["context"]),
            PodName = NonEmpty(environment("POD_NAME")),
            Workers = Integer("workers", values["workers"], defaults.Workers, problems),
            MaxConcurrentRollouts = Integer("max-concurrent-rollouts", values["max-concurrent-rollouts"], defaults.MaxConcurrentRollouts, problems),
            LeaderElect = Boolean("leader-elect", values["leader-elect"], problems),
            ExitWhenReady = Boolean("exit-when-ready", values["exit-when-ready"], problems),
            ResyncPeriod = Duration("resync-period", values["resync-period"], defaults.ResyncPeriod, problems),
            StartupTimeout = values["startup-timeout"]?.Trim() == "0"
                ? TimeSpan.Zero
                : Duration("startup-timeout", values["startup-timeout"], defaults.StartupTimeout, problems),
        };

        if (NonEmpty(values["gateway-url"]) is { } gatewayUrl)
        {
            options = options with { Gateway = Drover.Operator.Gateway.GatewayEndpoint.Parse(gatewayUrl, out var gatewayProblem) };
            if (gatewayProblem is not null)
            {
                problems.Add($"--gateway-url: {gatewayProblem}");
            }
        }

        if (NonEmpty(values["dns-peers"]) is { } dnsPeers)
        {
            if (DnsPeer.ParseList(dnsPeers, out var dnsError) is { } peers)
            {
                options = options with { DnsPeers = peers };
            }
            else
            {
                problems.Add($"--dns-peers: {dnsError}");
            }
        }

        var format = (values["log-format"] ?? defaults.LogFormat).Trim().ToLowerInvariant();
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

/// <summary>One flag of <c>drover run</c>.</summary>
/// <param name="Name">The flag without its dashes.</param>
/// <param name="Value">What the value looks like, for help.</param>
/// <param name="Environment">The variable read when the flag is absent; null when there is none.</param>
/// <param name="Default">The default, in words, for help.</param>
/// <param name="Description">What it does.</param>
/// <param name="IsSwitch">Whether the flag alone means true.</param>
internal sealed record RunFlag(string Name, string Value, string? Environment, string Default, string Description, bool IsSwitch = false)
{
    /// <summary>Declares every flag of <see cref="RunOptions.Flags"/> on <paramref name="command"/>.</summary>
    public static void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var flag in RunOptions.Flags)
        {
            // Values are checked in RunOptions.Bind, after the environment is read, so every problem reads the same way.
            var option = new Option<string?>("--" + flag.Name)
            {
                Description = flag.Description + $" [default: {flag.Default}]" + (flag.Environment is null ? "" : $" [env: {flag.Environment}]"),
                HelpName = flag.Value,
                Arity = ArgumentArity.ZeroOrOne,
            };
            command.Options.Add(option);
        }
    }
}
