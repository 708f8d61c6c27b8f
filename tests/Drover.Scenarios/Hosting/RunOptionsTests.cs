using Drover.Operator.Hosting;

namespace Drover.Scenarios.Hosting;

/// <summary>drover run's options: flags win over environment variables, which win over defaults.</summary>
public sealed class RunOptionsTests
{
    private static RunOptions Parse(string[] args, Dictionary<string, string>? env = null)
    {
        var options = RunOptions.Parse(args, name => env?.GetValueOrDefault(name), out var error, out _);
        Assert.True(options is not null, error);
        return options!;
    }

    [Fact]
    public void Defaults_match_the_documented_ones()
    {
        var options = Parse([]);
        Assert.Empty(options.Namespaces);
        Assert.False(options.LeaderElect);
        Assert.Equal("default", options.LeaderElectionNamespace);
        Assert.Equal(":8080", options.MetricsAddress);
        Assert.Equal(":8081", options.HealthAddress);
        Assert.Equal("json", options.LogFormat);
        Assert.Equal(10, options.MaxConcurrentRollouts);
        Assert.Equal("kube-system/k8s-app=kube-dns,openshift-dns/dns.operator.openshift.io/daemonset-dns=default,169.254.20.10/32", string.Join(",", options.DnsPeers));
        Assert.Null(options.AgentOtlpEndpoint);
        Assert.False(options.ExitWhenReady);
        Assert.Equal(TimeSpan.FromSeconds(60), options.StartupTimeout);
    }

    [Fact]
    public void The_startup_timeout_comes_from_the_flag_or_the_environment_and_0_waits_forever()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), Parse(["--startup-timeout", "5s"]).StartupTimeout);
        Assert.Equal(TimeSpan.FromMinutes(2), Parse([], new Dictionary<string, string> { ["DROVER_STARTUP_TIMEOUT"] = "2m" }).StartupTimeout);
        Assert.Equal(TimeSpan.Zero, Parse(["--startup-timeout=0"]).StartupTimeout);
        Assert.Null(RunOptions.Parse(["--startup-timeout", "soon"], _ => null, out var error, out _));
        Assert.Contains("--startup-timeout must be a duration", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Environment_variables_configure_every_option()
    {
        var options = Parse([], new Dictionary<string, string>
        {
            ["DROVER_NAMESPACES"] = "team-a, team-b",
            ["DROVER_WORKERS"] = "8",
            ["DROVER_LEADER_ELECT"] = "true",
            ["POD_NAMESPACE"] = "drover-system",
            ["DROVER_LOG_FORMAT"] = "text",
            ["DROVER_AGENT_OTLP_ENDPOINT"] = "http://otel.observability.svc:4317",
            ["DROVER_MAX_CONCURRENT_ROLLOUTS"] = "3",
            ["DROVER_CONTEXT"] = "staging",
            ["DROVER_DNS_PEERS"] = "dns/app=unbound, fd00::53/128",
        });
        Assert.Equal(["team-a", "team-b"], options.Namespaces);
        Assert.Equal(8, options.Workers);
        Assert.True(options.LeaderElect);
        Assert.Equal("drover-system", options.LeaderElectionNamespace);
        Assert.Equal("text", options.LogFormat);
        Assert.Equal("http://otel.observability.svc:4317", options.AgentOtlpEndpoint);
        Assert.Equal(3, options.MaxConcurrentRollouts);
        Assert.Equal("staging", options.Context);
        Assert.Equal("dns/app=unbound,fd00::53/128", string.Join(",", options.DnsPeers));
    }

    [Fact]
    public void Flags_override_the_environment_in_both_spellings()
    {
        var options = Parse(
            ["--namespaces=ops", "--workers", "2", "--leader-elect=false", "--leader-election-namespace", "infra", "--exit-when-ready", "--max-concurrent-rollouts=1"],
            new Dictionary<string, string> { ["DROVER_NAMESPACES"] = "team-a", ["DROVER_LEADER_ELECT"] = "true", ["DROVER_LEADER_ELECTION_NAMESPACE"] = "x" });
        Assert.Equal(["ops"], options.Namespaces);
        Assert.Equal(2, options.Workers);
        Assert.False(options.LeaderElect);
        Assert.Equal("infra", options.LeaderElectionNamespace);
        Assert.True(options.ExitWhenReady);
        Assert.Equal(1, options.MaxConcurrentRollouts);
    }

    [Fact]
    public void The_pod_name_from_the_downward_api_names_the_replica()
    {
        Assert.Equal("drover-7c9d5b8f6d-x2k9p", Parse([], new Dictionary<string, string> { ["POD_NAME"] = "drover-7c9d5b8f6d-x2k9p" }).PodName);
        Assert.Null(Parse([]).PodName);
    }

    [Fact]
    public void An_empty_address_turns_its_listener_off_in_both_spellings()
    {
        var options = Parse(["--metrics-address=", "--health-address", ""]);
        Assert.Equal("", options.MetricsAddress);
        Assert.Equal("", options.HealthAddress);
    }

    [Fact]
    public void Help_lists_every_flag_with_its_variable_and_default()
    {
        Assert.Null(RunOptions.Parse(["--help"], _ => null, out _, out var help));
        Assert.True(help);
        foreach (var flag in RunOptions.Flags)
        {
            var line = RunOptions.Usage.Split('\n').Single(l => l.TrimStart().StartsWith("--" + flag.Name + " ", StringComparison.Ordinal));
            Assert.Contains($"[default: {flag.Default}]", line, StringComparison.Ordinal);
            if (flag.Environment is { } variable)
            {
                Assert.Contains($"[env: {variable}]", line, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData("--workers=0", "--workers must be a whole number")]
    [InlineData("--log-format=xml", "--log-format must be json or text")]
    [InlineData("--metrics-address=8080", "--metrics-address must be [host]:port")]
    [InlineData("--frobnicate", "unknown option --frobnicate")]
    [InlineData("--kubeconfig", "option --kubeconfig needs a value")]
    [InlineData("--dns-peers=kube-dns", "--dns-peers: \"kube-dns\" is neither NAMESPACE/LABEL=VALUE")]
    public void Bad_options_say_what_is_wrong(string arg, string message)
    {
        Assert.Null(RunOptions.Parse([arg], _ => null, out var error, out _));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }
}
