using System.Text.Json.Nodes;

namespace Drover.Scenarios.Packaging;

/// <summary>Does gateway.* in the chart run drover-gateway the way values.yaml describes?</summary>
public sealed class GatewayChartTests
{
    private static RenderedManifests Render(params string[] sets) =>
        RenderedManifests.Parse(ToolRun.HelmTemplate([.. sets.SelectMany(s => new[] { "--set", s })]));

    private static JsonObject Container(JsonObject deployment) =>
        deployment["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Select(c => c!.AsObject()).Single(c => (string?)c["name"] == "gateway");

    private static List<string> Args(JsonObject deployment) => [.. Container(deployment)["args"]!.AsArray().Select(a => a!.GetValue<string>())];

    private static Dictionary<string, JsonNode?> Env(JsonObject deployment) =>
        Container(deployment)["env"]?.AsArray().ToDictionary(e => (string)e!["name"]!, e => e!["value"] ?? e["valueFrom"]) ?? [];

    private static Dictionary<string, JsonObject> Volumes(JsonObject deployment) =>
        deployment["spec"]!["template"]!["spec"]!["volumes"]!.AsArray().ToDictionary(v => (string)v!["name"]!, v => v!.AsObject());

    private static Dictionary<string, JsonObject> Mounts(JsonObject deployment) =>
        Container(deployment)["volumeMounts"]!.AsArray().ToDictionary(m => (string)m!["name"]!, m => m!.AsObject());

    /// <summary>The Secret key behind the file an env var names: the mount under which it lies, that volume's item of that path.</summary>
    private static (string Secret, string Key, bool ReadOnly, long? Mode) FileOf(JsonObject deployment, string variable)
    {
        var path = (string)Env(deployment)[variable]!;
        var mount = Mounts(deployment).Values.Single(m => path.StartsWith((string)m["mountPath"]! + "/", StringComparison.Ordinal));
        var secret = Volumes(deployment)[(string)mount["name"]!]["secret"]!;
        var item = secret["items"]!.AsArray().Single(i => (string?)i!["path"] == path[((string)mount["mountPath"]!).Length..].TrimStart('/'))!;
        return ((string)secret["secretName"]!, (string)item["key"]!, (bool?)mount["readOnly"] == true, (long?)secret["defaultMode"]);
    }

    private static JsonNode? Labels(JsonObject o, string path) => path.Split('/').Aggregate((JsonNode?)o, (n, p) => n?[p]);

    [PackagingFact(PackagingTool.Helm)]
    public void By_default_one_gateway_runs_from_the_operator_image_with_its_state_in_memory()
    {
        var install = Render();
        var gateway = install.Single("Deployment", "drover-gateway");
        var container = Container(gateway);

        Assert.Equal(["/app/drover-gateway"], container["command"]!.AsArray().Select(c => (string)c!));
        Assert.Equal((string?)RenderedManifests.Manager(install.Single("Deployment", "drover"))["image"], (string?)container["image"]);
        Assert.Equal(["--listen=:8090", "--metrics-address=:8091", "--health-address=:8092", "--log-format=json", "--replicas=1", "--shutdown-delay=5s", "--drain-timeout=20s"], Args(gateway));
        Assert.DoesNotContain(Env(gateway).Keys, name => name.StartsWith("DROVER_GATEWAY_REDIS", StringComparison.Ordinal));
        Assert.Equal(["tmp"], Volumes(gateway).Keys);
        Assert.Empty(install.OfKind("PodDisruptionBudget"));
        Assert.Equal(8090L, (long?)install.Single("Service", "drover-gateway")["spec"]!["ports"]![0]!["port"]);
        Assert.NotNull(install.Find("NetworkPolicy", "drover-gateway", "drover-system"));
        Assert.Equal("drover-gateway", (string?)gateway["spec"]!["template"]!["spec"]!["serviceAccountName"]);
    }

    [PackagingFact(PackagingTool.Helm)]
    public void No_selector_of_the_operator_picks_gateway_pods_and_none_of_the_gateways_picks_the_operators()
    {
        var install = Render("gateway.replicas=2", "gateway.redis.address=redis:6379", "replicas=2");
        var operatorPods = (JsonObject)Labels(install.Single("Deployment", "drover"), "spec/template/metadata/labels")!;
        var gatewayPods = (JsonObject)Labels(install.Single("Deployment", "drover-gateway"), "spec/template/metadata/labels")!;
        static bool Selects(JsonNode? selector, JsonObject labels) =>
            selector!.AsObject().All(p => (string?)labels[p.Key] == (string?)p.Value);

        foreach (var (kind, name, path, pods) in new[]
        {
            ("Deployment", "drover", "spec/selector/matchLabels", gatewayPods),
            ("Service", "drover-metrics", "spec/selector", gatewayPods),
            ("PodDisruptionBudget", "drover", "spec/selector/matchLabels", gatewayPods),
            ("Deployment", "drover-gateway", "spec/selector/matchLabels", operatorPods),
            ("Service", "drover-gateway", "spec/selector", operatorPods),
            ("PodDisruptionBudget", "drover-gateway", "spec/selector/matchLabels", operatorPods),
        })
        {
            Assert.False(Selects(Labels(install.Single(kind, name), path), pods), $"{kind} {name} selects the other Deployment's pods");
        }
    }

    [PackagingFact(PackagingTool.Helm)]
    public void Replicas_share_redis_with_its_password_from_a_secret_and_spread_over_nodes_keeping_one_through_disruptions()
    {
        var install = Render("gateway.replicas=3", "gateway.redis.address=redis.data:6380", "gateway.redis.tls=true", "gateway.redis.passwordSecret.name=redis-auth");
        var gateway = install.Single("Deployment", "drover-gateway");
        var env = Env(gateway);

        Assert.Contains("--replicas=3", Args(gateway));
        Assert.Equal("redis.data:6380,ssl=true", (string?)env["DROVER_GATEWAY_REDIS"]);
        Assert.Equal(("redis-auth", "password"), ((string?)env["DROVER_GATEWAY_REDIS_PASSWORD"]!["secretKeyRef"]!["name"], (string?)env["DROVER_GATEWAY_REDIS_PASSWORD"]!["secretKeyRef"]!["key"]));
        Assert.Equal(1L, (long?)install.Single("PodDisruptionBudget", "drover-gateway")["spec"]!["minAvailable"]);
        Assert.Equal("kubernetes.io/hostname", (string?)gateway["spec"]!["template"]!["spec"]!["topologySpreadConstraints"]![0]!["topologyKey"]);
        Assert.Equal(0L, (long?)gateway["spec"]!["strategy"]!["rollingUpdate"]!["maxUnavailable"]);
        var egress = install.Single("NetworkPolicy", "drover-gateway")["spec"]!["egress"]!.AsArray();
        Assert.Contains(egress, rule => rule!["ports"]!.AsArray().Any(p => (long?)p!["port"] == 6380));
    }

    [PackagingFact(PackagingTool.Helm)]
    public void A_private_ca_and_a_client_certificate_for_redis_reach_the_gateway_as_read_only_files_it_is_told_the_paths_of()
    {
        var install = Render(
            "gateway.replicas=2", "gateway.redis.address=redis.data:6380", "gateway.redis.passwordSecret.name=redis-auth",
            "gateway.redis.caSecret.name=redis-tls", "gateway.redis.clientCertSecret.name=gateway-redis-client");
        var gateway = install.Single("Deployment", "drover-gateway");

        // The CA bundle (cert-manager's ca.crt by default) and the client pair (a kubernetes.io/tls Secret), mounted
        // read-only, readable by the pod's group only, at the paths the gateway's variables name.
        Assert.Equal(("redis-tls", "ca.crt", true, 288L), FileOf(gateway, "DROVER_GATEWAY_REDIS_CA"));
        Assert.Equal(("gateway-redis-client", "tls.crt", true, 288L), FileOf(gateway, "DROVER_GATEWAY_REDIS_CLIENT_CERT"));
        Assert.Equal(("gateway-redis-client", "tls.key", true, 288L), FileOf(gateway, "DROVER_GATEWAY_REDIS_CLIENT_KEY"));
        Assert.Equal("redis.data:6380", (string?)Env(gateway)["DROVER_GATEWAY_REDIS"]);
        Assert.Equal("redis-auth", (string?)Env(gateway)["DROVER_GATEWAY_REDIS_PASSWORD"]!["secretKeyRef"]!["name"]);

        // Another key of the CA Secret is mounted under the same file name.
        var custom = Render("gateway.redis.address=redis.data:6380", "gateway.redis.caSecret.name=redis-ca-bundle", "gateway.redis.caSecret.key=bundle.pem").Single("Deployment", "drover-gateway");
        Assert.Equal(("redis-ca-bundle", "bundle.pem", true, 288L), FileOf(custom, "DROVER_GATEWAY_REDIS_CA"));
        Assert.DoesNotContain("DROVER_GATEWAY_REDIS_CLIENT_CERT", Env(custom).Keys);
    }

    [PackagingFact(PackagingTool.Helm)]
    public void A_ca_or_client_certificate_for_redis_without_its_address_is_refused_by_the_schema()
    {
        foreach (var set in new[] { "gateway.redis.caSecret.name=redis-tls", "gateway.redis.clientCertSecret.name=gateway-redis-client" })
        {
            var render = ToolRun.Helm(["template", "drover", RepositoryLayout.Chart, "--set", set]);

            Assert.True(render.ExitCode != 0, $"helm accepted {set} without gateway.redis.address:\n" + render.Describe());
            Assert.Contains("values don't meet the specifications of the schema", render.StandardError, StringComparison.Ordinal);
            Assert.Contains("at '/gateway/redis/address': minLength", render.StandardError, StringComparison.Ordinal);
        }
    }

    [PackagingFact(PackagingTool.Helm)]
    public void More_than_one_replica_without_redis_is_refused_by_the_schema()
    {
        var render = ToolRun.Helm(["template", "drover", RepositoryLayout.Chart, "--set", "gateway.replicas=2"]);

        Assert.True(render.ExitCode != 0, "helm accepted two gateways without Redis:\n" + render.Describe());
        Assert.Contains("values don't meet the specifications of the schema", render.StandardError, StringComparison.Ordinal);
        Assert.Contains("/gateway", render.StandardError, StringComparison.Ordinal);
    }

    [PackagingFact(PackagingTool.Helm)]
    public void Gateway_enabled_false_renders_no_gateway_object_and_the_service_monitor_follows_its_value()
    {
        Assert.DoesNotContain(Render("gateway.enabled=false").Objects, o => ((string?)o["metadata"]!["name"])!.Contains("gateway", StringComparison.Ordinal));
        Assert.Null(Render().Find("ServiceMonitor", "drover-gateway", "drover-system"));
        var monitor = Render("gateway.serviceMonitor.enabled=true").Single("ServiceMonitor", "drover-gateway");
        Assert.Equal("metrics", (string?)monitor["spec"]!["endpoints"]![0]!["port"]);
    }

    [PackagingFact(PackagingTool.Helm)]
    public void Every_gateway_value_reaches_the_pod_as_values_yaml_describes_it()
    {
        var install = RenderedManifests.Parse(ToolRun.HelmTemplate("--values", RepositoryLayout.EveryOptionValues));
        var gateway = install.Single("Deployment", "agent-operator-gateway");
        var pod = gateway["spec"]!["template"]!["spec"]!;

        Assert.Equal(
            ["--listen=:9090", "--metrics-address=:9091", "--health-address=:9092", "--log-format=text", "--replicas=2", "--shutdown-delay=3s", "--drain-timeout=40s", "--limit-wait=2s"],
            Args(gateway).Where(a => !a.StartsWith("--namespaces=", StringComparison.Ordinal)));
        Assert.Equal((50L, "system-cluster-critical"), ((long?)pod["terminationGracePeriodSeconds"], (string?)pod["priorityClassName"]));
        Assert.Equal("topology.kubernetes.io/zone", (string?)pod["topologySpreadConstraints"]![0]!["topologyKey"]);
        Assert.Equal("0", (string?)Env(gateway)["DOTNET_gcServer"]);
        Assert.Equal(("redis-tls", "ca.crt", true, 288L), FileOf(gateway, "DROVER_GATEWAY_REDIS_CA"));
        Assert.Equal(("gateway-redis-client", "tls.key", true, 288L), FileOf(gateway, "DROVER_GATEWAY_REDIS_CLIENT_KEY"));
        Assert.Equal("512Mi", (string?)Container(gateway)["resources"]!["limits"]!["memory"]);
        Assert.Equal("prometheus", (string?)install.Single("ServiceMonitor", "agent-operator-gateway")["metadata"]!["labels"]!["release"]);
        var egress = install.Single("NetworkPolicy", "agent-operator-gateway")["spec"]!["egress"]!.AsArray();
        Assert.Contains(egress, rule => rule!["ports"]!.AsArray().Any(p => (long?)p!["port"] == 11434));
        Assert.Equal(9090L, (long?)install.Single("Service", "agent-operator-gateway")["spec"]!["ports"]![0]!["port"]);
    }
}
