using System.Globalization;
using Drover.ControllerRuntime.Health;

namespace Drover.Gateway.Hosting;

/// <summary>
/// The settings of <c>drover-gateway</c>. Each comes from a flag or, when the flag is absent, from its
/// <c>DROVER_GATEWAY_*</c> environment variable (what the chart sets), else a default.
/// </summary>
internal sealed record GatewayOptions
{
    /// <summary>Where agents' model calls arrive, as <c>[host]:port</c>.</summary>
    public string Listen { get; init; } = ":8090";

    public string? Kubeconfig { get; init; }

    /// <summary>Namespaces whose Agents, Schedules, ModelProviders and Secrets are watched; empty watches all.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary>Where /metrics listens; empty turns it off.</summary>
    public string MetricsAddress { get; init; } = ":8091";

    /// <summary>Where /healthz and /readyz listen; empty turns them off.</summary>
    public string HealthAddress { get; init; } = ":8092";

    public string LogFormat { get; init; } = "json";

    /// <summary>Largest request body accepted; larger ones get 413.</summary>
    public long MaxRequestBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>How long a request waits for room under a provider's limits before it goes to the next link.</summary>
    public TimeSpan LimitWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a provider may take to send the first byte of its answer before the next link is tried.</summary>
    public TimeSpan FirstByteTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Output tokens reserved against budgets for a request that names no cap of its own.</summary>
    public long DefaultMaxTokens { get; init; } = 4096;

    /// <summary>The shortest time between two status.usage writes of one object.</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Where the admission state shared by every replica lives: a Redis address (<c>host:port</c>, or a StackExchange.Redis
    /// configuration such as <c>redis:6379,ssl=true</c>); null keeps it in this process. The password comes from
    /// DROVER_GATEWAY_REDIS_PASSWORD only, never a flag, so it is not in the process list.
    /// </summary>
    public string? Redis { get; init; }

    /// <summary>
    /// A PEM bundle of the CAs Redis's certificate may come from, trusted instead of the system's store (a private CA,
    /// such as cert-manager's); it turns TLS on. Null: with <c>ssl=true</c> the system's store decides.
    /// </summary>
    public string? RedisCa { get; init; }

    /// <summary>The PEM certificate the gateway shows a Redis that asks for one (<c>tls-auth-clients</c>); turns TLS on.</summary>
    public string? RedisClientCert { get; init; }

    /// <summary>The unencrypted PEM private key of <see cref="RedisClientCert"/>.</summary>
    public string? RedisClientKey { get; init; }

    /// <summary>How many replicas share the Redis state: while Redis is unreachable each admits this share of budgets and limits.</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>How long, after SIGTERM, the gateway is unready but still serves, so endpoints stop sending it calls first.</summary>
    public TimeSpan ShutdownDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long in-flight requests (streams) may take to finish once the gateway stops accepting; then they are cut.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The usage text <c>drover-gateway --help</c> prints.</summary>
    public const string Usage = """
        Usage: drover-gateway [options]

        Runs Drover's model gateway: agents call it with their gateway key in the OpenAI or Anthropic wire format; it
        checks the key, the model chain, the budgets and the providers' limits, injects the provider's key, falls back
        along the chain, and counts usage into status.usage.

        Options (each also read from the environment variable shown):
          --listen [HOST]:PORT            where agents' calls arrive (:8090)              DROVER_GATEWAY_LISTEN
          --kubeconfig PATH               cluster to use; else in-cluster, else           DROVER_GATEWAY_KUBECONFIG
                                          KUBECONFIG or ~/.kube/config
          --namespaces a,b                namespaces to watch; all when empty             DROVER_GATEWAY_NAMESPACES
          --metrics-address [HOST]:PORT   where /metrics listens (:8091; "" = off)        DROVER_GATEWAY_METRICS_ADDRESS
          --health-address [HOST]:PORT    where /healthz, /readyz listen (:8092)          DROVER_GATEWAY_HEALTH_ADDRESS
          --log-format json|text          log format (json)                               DROVER_GATEWAY_LOG_FORMAT
          --max-request-bytes N           largest request body (16777216)                 DROVER_GATEWAY_MAX_REQUEST_BYTES
          --limit-wait DURATION           wait for room under provider limits (5s)        DROVER_GATEWAY_LIMIT_WAIT
          --first-byte-timeout DURATION   wait for a provider's first byte (5m)           DROVER_GATEWAY_FIRST_BYTE_TIMEOUT
          --default-max-tokens N          output tokens reserved when a request names     DROVER_GATEWAY_DEFAULT_MAX_TOKENS
                                          no cap (4096)
          --status-interval DURATION      shortest time between two status.usage          DROVER_GATEWAY_STATUS_INTERVAL
                                          writes of one object (15s)
          --redis ADDRESS                 share budgets, limits and cooldowns between     DROVER_GATEWAY_REDIS
                                          replicas through Redis (host:port or a
                                          StackExchange.Redis configuration, e.g.
                                          redis:6379,ssl=true); password from
                                          DROVER_GATEWAY_REDIS_PASSWORD; "" = in memory
          --redis-ca PATH                 PEM bundle of the CAs trusted for Redis's       DROVER_GATEWAY_REDIS_CA
                                          certificate instead of the system's (holds
                                          the root); turns TLS on
          --redis-client-cert PATH        PEM certificate shown to a Redis that asks      DROVER_GATEWAY_REDIS_CLIENT_CERT
                                          for one; turns TLS on
          --redis-client-key PATH         its unencrypted PEM private key                 DROVER_GATEWAY_REDIS_CLIENT_KEY
          --replicas N                    replicas sharing Redis; each admits 1/N of      DROVER_GATEWAY_REPLICAS
                                          budgets and limits while Redis is out (1)
          --shutdown-delay DURATION       after SIGTERM: unready but serving (5s)         DROVER_GATEWAY_SHUTDOWN_DELAY
          --drain-timeout DURATION        then: in-flight requests may finish (20s);      DROVER_GATEWAY_DRAIN_TIMEOUT
                                          later ones are cut and counted
          -h, --help                      show this text

        Metrics are also exported with OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.
        """;

    private static readonly Dictionary<string, string> EnvironmentNames = new(StringComparer.Ordinal)
    {
        ["listen"] = "DROVER_GATEWAY_LISTEN",
        ["kubeconfig"] = "DROVER_GATEWAY_KUBECONFIG",
        ["namespaces"] = "DROVER_GATEWAY_NAMESPACES",
        ["metrics-address"] = "DROVER_GATEWAY_METRICS_ADDRESS",
        ["health-address"] = "DROVER_GATEWAY_HEALTH_ADDRESS",
        ["log-format"] = "DROVER_GATEWAY_LOG_FORMAT",
        ["max-request-bytes"] = "DROVER_GATEWAY_MAX_REQUEST_BYTES",
        ["limit-wait"] = "DROVER_GATEWAY_LIMIT_WAIT",
        ["first-byte-timeout"] = "DROVER_GATEWAY_FIRST_BYTE_TIMEOUT",
        ["default-max-tokens"] = "DROVER_GATEWAY_DEFAULT_MAX_TOKENS",
        ["status-interval"] = "DROVER_GATEWAY_STATUS_INTERVAL",
        ["redis"] = "DROVER_GATEWAY_REDIS",
        ["redis-ca"] = "DROVER_GATEWAY_REDIS_CA",
        ["redis-client-cert"] = "DROVER_GATEWAY_REDIS_CLIENT_CERT",
        ["redis-client-key"] = "DROVER_GATEWAY_REDIS_CLIENT_KEY",
        ["replicas"] = "DROVER_GATEWAY_REPLICAS",
        ["shutdown-delay"] = "DROVER_GATEWAY_SHUTDOWN_DELAY",
        ["drain-timeout"] = "DROVER_GATEWAY_DRAIN_TIMEOUT",
    };

    /// <summary>The environment variable of each flag, for documentation and tests.</summary>
    public static IReadOnlyDictionary<string, string> Variables => EnvironmentNames;

    /// <summary>
    /// Reads <paramref name="args"/> (<c>--name value</c> or <c>--name=value</c>) over <paramref name="environment"/>.
    /// Returns null and sets <paramref name="error"/> when something is wrong; sets <paramref name="help"/> when asked.
    /// </summary>
    public static GatewayOptions? Parse(IReadOnlyList<string> args, Func<string, string?> environment, out string? error, out bool help)
    {
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
                error = $"unexpected argument \"{arg}\"; options start with -- (see drover-gateway --help)";
                return null;
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg[2..] : arg[2..equals];
            if (!EnvironmentNames.ContainsKey(name))
            {
                error = $"unknown option --{name} (see drover-gateway --help)";
                return null;
            }

            if (equals >= 0)
            {
                given[name] = arg[(equals + 1)..];
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

        string? Value(string name) => given.TryGetValue(name, out var flag) ? flag : environment(EnvironmentNames[name]);

        var defaults = new GatewayOptions();
        var problems = new List<string>();
        var options = defaults with
        {
            Listen = NonEmpty(Value("listen")) ?? defaults.Listen,
            Kubeconfig = NonEmpty(Value("kubeconfig")) ?? NonEmpty(FirstKubeconfig(environment("KUBECONFIG"))),
            Namespaces = (Value("namespaces") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            MetricsAddress = Value("metrics-address")?.Trim() ?? defaults.MetricsAddress,
            HealthAddress = Value("health-address")?.Trim() ?? defaults.HealthAddress,
            LogFormat = (Value("log-format") ?? defaults.LogFormat).Trim().ToLowerInvariant(),
            MaxRequestBytes = Integer("max-request-bytes", Value("max-request-bytes"), defaults.MaxRequestBytes, 1024, problems),
            LimitWait = Duration("limit-wait", Value("limit-wait"), defaults.LimitWait, allowZero: true, problems),
            FirstByteTimeout = Duration("first-byte-timeout", Value("first-byte-timeout"), defaults.FirstByteTimeout, allowZero: false, problems),
            DefaultMaxTokens = Integer("default-max-tokens", Value("default-max-tokens"), defaults.DefaultMaxTokens, 1, problems),
            StatusInterval = Duration("status-interval", Value("status-interval"), defaults.StatusInterval, allowZero: false, problems),
            Redis = NonEmpty(Value("redis")),
            RedisCa = NonEmpty(Value("redis-ca")),
            RedisClientCert = NonEmpty(Value("redis-client-cert")),
            RedisClientKey = NonEmpty(Value("redis-client-key")),
            Replicas = (int)Math.Min(int.MaxValue, Integer("replicas", Value("replicas"), defaults.Replicas, 1, problems)),
            ShutdownDelay = Duration("shutdown-delay", Value("shutdown-delay"), defaults.ShutdownDelay, allowZero: true, problems),
            DrainTimeout = Duration("drain-timeout", Value("drain-timeout"), defaults.DrainTimeout, allowZero: true, problems),
        };

        if (options.Redis is { } redis && RedisConnection.Problem(redis) is { } wrong)
        {
            problems.Add($"--redis must be host:port or a StackExchange.Redis configuration, not \"{redis}\": {wrong}");
        }

        if (RedisTls.From(options) is { } tls)
        {
            if (options.Redis is null)
            {
                problems.Add("--redis-ca, --redis-client-cert and --redis-client-key need --redis");
            }
            else if (tls.Problem() is { } unusable)
            {
                problems.Add(unusable);
            }
        }

        if (options.LogFormat is not ("json" or "text"))
        {
            problems.Add($"--log-format must be json or text, not \"{options.LogFormat}\"");
        }

        if (!ListenAddress.TryParse(options.Listen, out _))
        {
            problems.Add($"--listen must be [host]:port, for example :8090 or 127.0.0.1:8090, not \"{options.Listen}\"");
        }

        foreach (var (name, address) in new[] { ("metrics-address", options.MetricsAddress), ("health-address", options.HealthAddress) })
        {
            if (address.Length > 0 && !ListenAddress.TryParse(address, out _))
            {
                problems.Add($"--{name} must be [host]:port, for example :8091 or 127.0.0.1:8091, not \"{address}\"");
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

    // KUBECONFIG may list several files; like kubectl, the first that exists holds the current context.
    private static string? FirstKubeconfig(string? variable) =>
        (variable ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(File.Exists);

    private static long Integer(string name, string? value, long fallback, long minimum, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        if (long.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= minimum)
        {
            return number;
        }

        problems.Add(string.Create(CultureInfo.InvariantCulture, $"--{name} must be a whole number of at least {minimum}, not \"{value}\""));
        return fallback;
    }

    private static TimeSpan Duration(string name, string? value, TimeSpan fallback, bool allowZero, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        // Go-style durations as Kubernetes tooling writes them: 500ms, 30s, 10m, 1h.
        var text = value.Trim();
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], "ms") : (text[..^1], text[^1..]);
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && (amount > 0 || (allowZero && amount == 0)))
        {
            switch (unit)
            {
                case "ms":
                    return TimeSpan.FromMilliseconds(amount);
                case "s":
                    return TimeSpan.FromSeconds(amount);
                case "m":
                    return TimeSpan.FromMinutes(amount);
                case "h":
                    return TimeSpan.FromHours(amount);
            }
        }

        problems.Add($"--{name} must be a duration such as 500ms, 30s or 5m, not \"{value}\"");
        return fallback;
    }
}
