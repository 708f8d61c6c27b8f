using System.Text.RegularExpressions;
using Drover.ControllerRuntime.Health;
using Drover.Operator.Hosting;

namespace Drover.Scenarios.Packaging;

/// <summary>
/// Does `drover run` accept every command line and environment the chart can give it, and can chart values reach
/// every option of `drover run` that an installed operator needs? The chart's renders are read as a kubelet reads
/// them and handed to the binary's own option parser.
/// </summary>
public sealed partial class ChartRunOptionsTests
{
    private const string PodName = "drover-7c9d5b8f6d-x2k9p";

    /// <summary>
    /// How chart values reach each option of `drover run --help`. A new option fails
    /// <see cref="Every_option_of_drover_run_is_reached_from_values_or_has_no_place_in_a_pod"/> until it is listed
    /// here or in <see cref="NotForAPod"/>.
    /// </summary>
    private static readonly Dictionary<string, Func<RunOptions, object?>> ReachedFromValues = new(StringComparer.Ordinal)
    {
        ["--namespaces"] = o => string.Join(",", o.Namespaces),
        ["--workers"] = o => o.Workers,
        ["--leader-elect"] = o => o.LeaderElect,
        // Through POD_NAMESPACE: the Lease belongs where the chart's leader-election Role is, the release namespace.
        ["--leader-election-namespace"] = o => o.LeaderElectionNamespace,
        ["--metrics-address"] = o => o.MetricsAddress,
        ["--health-address"] = o => o.HealthAddress,
        ["--log-format"] = o => o.LogFormat,
        ["--agent-otlp-endpoint"] = o => o.AgentOtlpEndpoint,
        ["--max-concurrent-rollouts"] = o => o.MaxConcurrentRollouts,
        ["--resync-period"] = o => o.ResyncPeriod,
        // Set whenever gateway.enabled: the Service of the gateway this release installs.
        ["--gateway-url"] = o => o.Gateway?.Url,
        ["--dns-peers"] = o => string.Join(",", o.DnsPeers),
    };

    private static readonly Dictionary<string, string> NotForAPod = new(StringComparer.Ordinal)
    {
        ["--kubeconfig"] = "in a pod the service account token is how the operator reaches the API server",
        ["--context"] = "it picks a kubeconfig context, and a pod has no kubeconfig",
        ["--exit-when-ready"] = "it is for scripts and tests; a Deployment restarts a pod that exits",
        ["--startup-timeout"] = "in a pod the default bound is right: a replica that cannot reach the API server exits and the kubelet restarts it with backoff",
        ["--help"] = "it prints the usage and exits",
    };

    /// <summary>Value sets that each change what the Deployment's container gets.</summary>
    private static readonly string[][] ValueSets =
    [
        [],
        ["--values", RepositoryLayout.EveryOptionValues],
        ["--set", "replicas=2"],
        ["--set", "replicas=3", "--set", "leaderElection.enabled=false"],
        ["--set", "leaderElection.enabled=true"],
        ["--set", "watchNamespaces={team-a}"],
        ["--set", "resyncPeriod=90s"],
        ["--set", "logFormat=text", "--set", "agentOtlpEndpoint=https://otel.example.com:4317", "--set", "otlpEndpoint=http://otel:4318"],
        ["--set", "metrics.port=9443", "--set", "health.port=9444", "--set", "workers=1", "--set", "maxConcurrentRollouts=1"],
    ];

    private static (RenderedManifests Install, OperatorReplica Replica, RunOptions Options) Run(params string[] helmArgs)
    {
        var install = RenderedManifests.Parse(ToolRun.HelmTemplate(helmArgs));
        var replica = OperatorReplica.Of(OperatorDeployment(install), PodName);
        var options = RunOptions.Parse(replica.RunArgs, name => replica.Environment.GetValueOrDefault(name), out var error, out var help);
        Assert.False(help, $"the chart asks for help: {string.Join(' ', replica.Args)}");
        Assert.True(options is not null, $"drover run rejects what helm template {string.Join(' ', helmArgs)} gives it: {error}\n{string.Join(' ', replica.Args)}");
        return (install, replica, options!);
    }

    private static RunOptions Defaults() => RunOptions.Parse([], _ => null, out _, out _)!;

    [PackagingFact(PackagingTool.Helm)]
    public void Every_render_of_the_chart_gives_drover_run_options_it_accepts()
    {
        foreach (var values in ValueSets)
        {
            Run(values);
        }
    }

    [PackagingFact(PackagingTool.Helm)]
    public void The_default_install_runs_the_operator_with_its_documented_defaults_in_the_release_namespace()
    {
        var (_, _, options) = Run();

        Assert.Empty(options.Namespaces);
        // The chart installs the gateway by default, and tells the operator where it is.
        Assert.Equal(new Uri("http://drover-gateway.drover-system.svc:8090"), options.Gateway?.Url);
        Assert.Equal(
            Defaults() with { Namespaces = options.Namespaces, LeaderElectionNamespace = "drover-system", PodName = PodName, Gateway = options.Gateway },
            options);
    }

    [PackagingFact(PackagingTool.Helm)]
    public void Every_option_value_reaches_the_binary_as_values_yaml_describes_it()
    {
        var (_, replica, options) = Run("--values", RepositoryLayout.EveryOptionValues);

        Assert.Equal(["team-a", "team-b"], options.Namespaces);
        Assert.Equal(8, options.Workers);
        Assert.Equal(3, options.MaxConcurrentRollouts);
        Assert.Equal(TimeSpan.FromMinutes(30), options.ResyncPeriod);
        Assert.Equal("kube-system/k8s-app=kube-dns,169.254.25.10/32", string.Join(",", options.DnsPeers));
        Assert.True(options.LeaderElect);
        Assert.Equal("drover-system", options.LeaderElectionNamespace);
        Assert.Equal(PodName, options.PodName);
        Assert.Equal(":9090", options.MetricsAddress);
        Assert.Equal(":9091", options.HealthAddress);
        Assert.Equal("text", options.LogFormat);
        Assert.Equal("http://otel-collector.observability.svc:4317", options.AgentOtlpEndpoint);
        Assert.Null(options.Kubeconfig);
        Assert.False(options.ExitWhenReady);
        // The operator's own traces: not a flag, the standard variable the binary documents reading.
        Assert.Equal("http://otel-collector.observability.svc:4318", replica.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", RunOptions.Usage, StringComparison.Ordinal);
    }

    [PackagingFact(PackagingTool.Helm)]
    public void Every_option_of_drover_run_is_reached_from_values_or_has_no_place_in_a_pod()
    {
        var documented = UsageFlag().Matches(RunOptions.Usage).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(
            documented.Order(StringComparer.Ordinal),
            ReachedFromValues.Keys.Concat(NotForAPod.Keys).Order(StringComparer.Ordinal));

        // Values moved each option away from the binary's default, so a value reaches it.
        var defaults = Defaults();
        var (_, _, everyOption) = Run("--values", RepositoryLayout.EveryOptionValues);
        var unreached = ReachedFromValues.Where(o => Equals(o.Value(defaults), o.Value(everyOption))).Select(o => o.Key).ToList();
        Assert.True(unreached.Count == 0, $"values-every-option.yaml leaves these at the binary's default, so no value reaches them: {string.Join(", ", unreached)}");
    }

    [PackagingFact(PackagingTool.Helm)]
    public void The_probes_and_the_metrics_service_target_the_ports_the_binary_listens_on()
    {
        foreach (var values in ValueSets)
        {
            var (install, replica, options) = Run(values);

            Assert.True(ListenAddress.TryParse(options.HealthAddress, out var health));
            Assert.True(ListenAddress.TryParse(options.MetricsAddress, out var metrics));
            Assert.Equal(health!.Port, replica.ReadinessContainerPort);
            var liveness = RenderedManifests.Manager(OperatorDeployment(install))["livenessProbe"]!["httpGet"]!;
            Assert.Equal(health.Port, replica.ContainerPorts[(string)liveness["port"]!]);
            var service = install.OfKind("Service").Single(s => (string?)s["metadata"]!["labels"]?["app.kubernetes.io/component"] == "metrics");
            Assert.Equal(metrics!.Port, replica.ContainerPorts[(string)service["spec"]!["ports"]![0]!["targetPort"]!]);
        }
    }

    // The option at the start of each line of `drover run --help` ("-h, --help" included).
    [GeneratedRegex(@"(?m)^\s+(?:-\w, )?(--[a-z][a-z-]*)")]
    private static partial Regex UsageFlag();

    // The gateway has a Deployment of its own; the operator's is the manager.
    private static System.Text.Json.Nodes.JsonObject OperatorDeployment(RenderedManifests install) =>
        install.OfKind("Deployment").Single(d => (string?)d["metadata"]!["labels"]?["app.kubernetes.io/component"] == "manager");
}
