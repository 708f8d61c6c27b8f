using System.Text;
using System.Text.Json.Nodes;

namespace Drover.Scenarios.Packaging;

/// <summary>Does each chart value change the rendered install the way its description promises?</summary>
public sealed class ChartOptionsTests
{
    private static RenderedManifests Render(params string[] sets) =>
        RenderedManifests.Parse(ToolRun.HelmTemplate([.. sets.SelectMany(s => new[] { "--set", s })]));

    private static RenderedManifests RenderEveryOption() =>
        RenderedManifests.Parse(ToolRun.HelmTemplate("--values", RepositoryLayout.EveryOptionValues));

    [PackagingFact(PackagingTool.Helm)]
    public void One_replica_runs_without_leader_election_or_disruption_budget()
    {
        var install = Render();
        var args = RenderedManifests.Args(install.Single("Deployment", "drover"));

        Assert.DoesNotContain("--leader-elect", args);
        Assert.Empty(install.OfKind("PodDisruptionBudget"));
        Assert.Equal(1L, (long?)install.Single("Deployment", "drover")["spec"]!["replicas"]);
        // The Lease permissions exist anyway, so `kubectl scale` plus the flag needs no RBAC change.
        Assert.NotNull(install.Find("Role", "drover-leader-election", "drover-system"));
    }

    [PackagingFact(PackagingTool.Helm)]
    public void More_than_one_replica_elects_a_leader_and_keeps_one_pod_through_disruptions()
    {
        var install = Render("replicas=3");

        Assert.Contains("--leader-elect", RenderedManifests.Args(install.Single("Deployment", "drover")));
        var pdb = install.Single("PodDisruptionBudget", "drover");
        Assert.Equal(1L, (long?)pdb["spec"]!["minAvailable"]);
        Assert.Equal("drover", (string?)pdb["spec"]!["selector"]!["matchLabels"]!["app.kubernetes.io/name"]);
    }

    [PackagingFact(PackagingTool.Helm)]
    public void Leader_election_can_be_forced_on_for_one_replica_and_off_for_many()
    {
        Assert.Contains("--leader-elect", RenderedManifests.Args(Render("leaderElection.enabled=true").Single("Deployment", "drover")));
        Assert.DoesNotContain("--leader-elect", RenderedManifests.Args(
            Render("replicas=2", "leaderElection.enabled=false").Single("Deployment", "drover")));
    }

    [PackagingFact(PackagingTool.Helm)]
    public void Operator_options_become_its_command_line()
    {
        var args = RenderedManifests.Args(RenderEveryOption().Single("Deployment", "agent-operator"));

        Assert.Equal(
            [
                "run", "--metrics-address=:9090", "--health-address=:9091", "--log-format=text", "--workers=8",
                "--max-concurrent-rollouts=3", "--dns-peers=kube-system/k8s-app=kube-dns,169.254.25.10/32", "--resync-period=30m", "--namespaces=team-a,team-b", "--leader-elect",
                "--agent-otlp-endpoint=http://otel-collector.observability.svc:4317",
                "--gateway-url=http://agent-operator-gateway.drover-system.svc:9090",
            ],
            args);
    }

    [PackagingFact(PackagingTool.Helm)]
    public void Operator_traces_go_to_the_standard_otlp_variable_and_pod_namespace_comes_from_the_downward_api()
    {
        var env = RenderedManifests.Manager(RenderEveryOption().Single("Deployment", "agent-operator"))["env"]!.AsArray()
            .ToDictionary(e => (string)e!["name"]!, e => e!);

        Assert.Equal("http://otel-collector.observability.svc:4318", (string?)env["OTEL_EXPORTER_OTLP_ENDPOINT"]["value"]);
        Assert.Equal("metadata.namespace", (string?)env["POD_NAMESPACE"]["valueFrom"]!["fieldRef"]!["fieldPath"]);
        Assert.Equal("0", (string?)env["DOTNET_gcServer"]["value"]);
        Assert.DoesNotContain("OTEL_EXPORTER_OTLP_ENDPOINT",
            RenderedManifests.Manager(Render().Single("Deployment", "drover"))["env"]!.AsArray().Select(e => (string?)e!["name"]));
    }

    [PackagingFact(PackagingTool.Helm)]
    public void The_image_tag_defaults_to_the_app_version_and_a_digest_pins_it()
    {
        Assert.Equal("ghcr.io/drover-dev/drover:0.1.0", (string?)RenderedManifests.Manager(Render().Single("Deployment", "drover"))["image"]);
        var pinned = RenderedManifests.Manager(RenderEveryOption().Single("Deployment", "agent-operator"));
        Assert.Equal(
            "registry.example.com/platform/drover@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            (string?)pinned["image"]);
        Assert.Equal("Always", (string?)pinned["imagePullPolicy"]);
    }

    [PackagingFact(PackagingTool.Helm)]
    public void The_operator_pod_is_hardened_like_the_agents_it_runs()
    {
        var deployment = Render().Single("Deployment", "drover");
        var pod = deployment["spec"]!["template"]!["spec"]!;
        var container = RenderedManifests.Manager(deployment);

        Assert.True((bool?)pod["securityContext"]!["runAsNonRoot"]);
        Assert.Equal(65532L, (long?)pod["securityContext"]!["runAsUser"]);
        Assert.Equal("RuntimeDefault", (string?)pod["securityContext"]!["seccompProfile"]!["type"]);
        Assert.False((bool?)pod["enableServiceLinks"]);
        Assert.False((bool?)container["securityContext"]!["allowPrivilegeEscalation"]);
        Assert.True((bool?)container["securityContext"]!["readOnlyRootFilesystem"]);
        Assert.Equal(["ALL"], container["securityContext"]!["capabilities"]!["drop"]!.AsArray().Select(c => (string)c!));
        Assert.Equal("/tmp", (string?)container["volumeMounts"]![0]!["mountPath"]);
        Assert.Equal("/healthz", (string?)container["livenessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/readyz", (string?)container["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("health", (string?)container["readinessProbe"]!["httpGet"]!["port"]);
        Assert.Equal("256Mi", (string?)container["resources"]!["limits"]!["memory"]);
    }

    [PackagingFact(PackagingTool.Helm)]
    public void Scheduling_and_pod_metadata_values_reach_the_pod()
    {
        var pod = RenderEveryOption().Single("Deployment", "agent-operator")["spec"]!["template"]!;

        Assert.Equal("platform", (string?)pod["metadata"]!["annotations"]!["example.com/owner"]);
        Assert.Equal("platform", (string?)pod["metadata"]!["labels"]!["team"]);
        Assert.Equal("linux", (string?)pod["spec"]!["nodeSelector"]!["kubernetes.io/os"]);
        Assert.Equal("operators", (string?)pod["spec"]!["tolerations"]![0]!["value"]);
        Assert.NotNull(pod["spec"]!["affinity"]!["nodeAffinity"]);
        Assert.Equal("system-cluster-critical", (string?)pod["spec"]!["priorityClassName"]);
        Assert.Equal("registry-credentials", (string?)pod["spec"]!["imagePullSecrets"]![0]!["name"]);
        Assert.Equal("agent-operator-sa", (string?)pod["spec"]!["serviceAccountName"]);
    }

    [PackagingFact(PackagingTool.Helm)]
    public void All_namespaces_get_one_cluster_role_with_the_rules_from_config_rbac()
    {
        var install = Render();
        var expected = RenderedManifests.Parse(File.ReadAllText(Path.Combine(RepositoryLayout.Config, "rbac", "role.yaml"))).Objects.Single();

        Assert.DoesNotContain(install.OfKind("RoleBinding"), b => (string?)b["metadata"]!["name"] == "drover");
        Assert.True(JsonNode.DeepEquals(expected["rules"], install.Single("ClusterRole", "drover")["rules"]));
        Assert.Equal("drover", (string?)install.Single("ClusterRoleBinding", "drover")["subjects"]![0]!["name"]);
    }

    [PackagingFact(PackagingTool.Helm)]
    public void Watched_namespaces_get_a_role_each_and_only_namespace_reads_stay_cluster_wide()
    {
        var install = Render("watchNamespaces={team-a,team-b}");

        Assert.Contains("--namespaces=team-a,team-b", RenderedManifests.Args(install.Single("Deployment", "drover")));
        Assert.Null(install.Find("ClusterRole", "drover"));
        foreach (var ns in new[] { "team-a", "team-b" })
        {
            var role = install.Single("Role", "drover", ns);
            Assert.Contains(role["rules"]!.AsArray(), r => r!["resources"]!.AsArray().Any(x => (string?)x == "secrets"));
            Assert.DoesNotContain(role["rules"]!.AsArray(), r => r!["resources"]!.AsArray().Any(x => (string?)x == "namespaces"));
            Assert.Equal("drover-system", (string?)install.Single("RoleBinding", "drover", ns)["subjects"]![0]!["namespace"]);
        }
        var clusterWide = install.Single("ClusterRole", "drover-namespaces")["rules"]!.AsArray();
        Assert.Equal(["namespaces"], clusterWide.SelectMany(r => r!["resources"]!.AsArray()).Select(x => (string)x!));
        // Only what the namespace informer does: it lists and watches (nothing reads one namespace by name).
        Assert.Equal(["list", "watch"], clusterWide.SelectMany(r => r!["verbs"]!.AsArray()).Select(x => (string)x!));
    }

    [PackagingFact(PackagingTool.Helm)]
    public void A_service_monitor_is_rendered_only_when_enabled()
    {
        Assert.Empty(Render().OfKind("ServiceMonitor"));

        var monitor = Render("metrics.serviceMonitor.enabled=true").Single("ServiceMonitor", "drover");
        Assert.Equal("metrics", (string?)monitor["spec"]!["endpoints"]![0]!["port"]);
        Assert.Equal("metrics", (string?)monitor["spec"]!["selector"]!["matchLabels"]!["app.kubernetes.io/component"]);
    }

    [PackagingFact(PackagingTool.Helm)]
    public void Providers_from_values_become_model_providers_and_inline_keys_a_secret()
    {
        var install = RenderEveryOption();

        var secret = install.Single("Secret", "agent-operator-provider-local-vllm");
        Assert.Equal("sk-inline-test-key", Encoding.UTF8.GetString(Convert.FromBase64String((string)secret["data"]!["api-key"]!)));
        var vllm = install.Single("ModelProvider", "local-vllm")["spec"]!;
        Assert.Equal("http://vllm.models.svc:8000/v1", (string?)vllm["endpoint"]);
        Assert.Equal("agent-operator-provider-local-vllm", (string?)vllm["apiKey"]!["secretKeyRef"]!["name"]);
        Assert.Equal("api-key", (string?)vllm["apiKey"]!["secretKeyRef"]!["key"]);

        var openai = install.Single("ModelProvider", "openai")["spec"]!;
        Assert.Equal("openai-api-key", (string?)openai["apiKey"]!["secretKeyRef"]!["name"]);
        Assert.Null(openai["endpoint"]);
        Assert.Equal("Selector", (string?)openai["allowedNamespaces"]!["from"]);
        Assert.Null(install.Find("Secret", "agent-operator-provider-openai"));

        var ollama = install.Single("ModelProvider", "ollama")["spec"]!;
        Assert.Equal(11434L, (long?)ollama["serviceRef"]!["port"]);
        Assert.Null(ollama["apiKey"]);
    }
}
