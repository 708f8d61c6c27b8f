using Drover.Operator.Agents;
using Drover.Operator.Rendering;
using Drover.Operator.Resolution;
using Drover.Operator.Schedules;
using Drover.Operator.Tests.TestSupport;
using k8s.Models;

namespace Drover.Operator.Tests.Agents;

/// <summary>Golden YAML of every builder, over the samples and focused fixtures; each test also asserts the point of its fixture.</summary>
public sealed class AgentChildrenGoldenTests
{
    [Fact]
    public void Samples_render_to_the_golden_objects_and_agent_json()
    {
        var cluster = new InMemoryCluster();
        Assert.Empty(ManifestLoader.Load([RepositoryPaths.Samples], "default", cluster));

        var result = Renderer.Render(cluster, OperatorOptions.Default);

        Assert.Empty(result.Problems);
        GoldenFile.AssertMatches("samples.yaml", Manifests.Yaml(result.Objects));
        GoldenFile.AssertMatches("samples-echo-agent.json", Manifests.AgentJson(result.Objects.OfType<V1Secret>().Single()));
    }

    [Fact]
    public void Storage_adds_a_workspace_claim_mounted_at_workspace_and_rolls_with_Recreate()
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("keeper", """
            storage: {size: 2Gi, storageClassName: fast}
            network: {egress: Unrestricted}
            """));
        var plan = Manifests.Plan(cluster, "team-a", "keeper");

        var children = AgentChildren.Build(plan, OperatorOptions.Default).All;

        var claim = children.OfType<V1PersistentVolumeClaim>().Single();
        Assert.Equal("keeper-workspace", claim.Metadata.Name);
        Assert.Equal("2Gi", claim.Spec.Resources.Requests["storage"].ToString());
        Assert.Null(claim.Metadata.OwnerReferences);
        var deployment = children.OfType<V1Deployment>().Single();
        Assert.Equal("Recreate", deployment.Spec.Strategy.Type);
        Assert.Contains(deployment.Spec.Template.Spec.Containers[0].VolumeMounts, m => m.Name == "workspace" && m.MountPath == "/workspace");
        Assert.Empty(children.OfType<V1NetworkPolicy>());
        GoldenFile.AssertMatches("storage.yaml", Manifests.Yaml(children.Where(c => c is not V1Secret)));
    }

    [Fact]
    public void A_workspace_is_owned_by_its_agent_only_when_it_goes_with_it()
    {
        V1PersistentVolumeClaim Claim(string storage) => AgentChildren.Build(
            Manifests.Plan(Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("keeper", storage)), "team-a", "keeper"),
            OperatorOptions.Default).All.OfType<V1PersistentVolumeClaim>().Single();

        Assert.Null(Claim("storage: {size: 1Gi}").Metadata.OwnerReferences);
        Assert.Null(Claim("storage: {size: 1Gi, whenDeleted: Retain}").Metadata.OwnerReferences);
        var owned = Claim("storage: {size: 1Gi, whenDeleted: Delete}").Metadata.OwnerReferences.Single();
        Assert.Equal(("Agent", "keeper", true), (owned.Kind, owned.Name, owned.Controller == true));
        Assert.Equal("keeper", Claim("storage: {size: 1Gi}").Metadata.Labels["app.kubernetes.io/instance"]);
    }

    [Fact]
    public void Port_adds_a_Service_and_http_probes_on_the_health_path()
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("web", """
            port: 9090
            health: {path: /ready}
            """));
        var plan = Manifests.Plan(cluster, "team-a", "web");

        var children = AgentChildren.Build(plan, OperatorOptions.Default).All;

        var service = children.OfType<V1Service>().Single();
        Assert.Equal(9090, service.Spec.Ports.Single().Port);
        var container = children.OfType<V1Deployment>().Single().Spec.Template.Spec.Containers.Single();
        Assert.Equal("/ready", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/ready", container.LivenessProbe.HttpGet.Path);
        GoldenFile.AssertMatches("port.yaml", Manifests.Yaml(children.Where(c => c is V1Service or V1Deployment)));
    }

    [Fact]
    public void By_default_an_old_agent_process_has_exited_before_its_replacement_starts()
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("poller", "replicas: 1"));

        var deployment = DeploymentBuilder.Build(Manifests.Plan(cluster, "team-a", "poller"), OperatorOptions.Default);

        // Recreate, not RollingUpdate with maxSurge 0: the latter starts the new pod while the old one is still terminating.
        Assert.Equal("Recreate", deployment.Spec.Strategy.Type);
        Assert.Null(deployment.Spec.Strategy.RollingUpdate);
    }

    [Fact]
    public void Rollout_Surge_starts_the_new_process_before_the_old_one_stops_with_both_bounds_stated()
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("web", """
            port: 8080
            rollout: Surge
            """));

        var deployment = DeploymentBuilder.Build(Manifests.Plan(cluster, "team-a", "web"), OperatorOptions.Default);

        Assert.Equal("RollingUpdate", deployment.Spec.Strategy.Type);
        Assert.Equal("1", deployment.Spec.Strategy.RollingUpdate.MaxSurge.Value);
        Assert.Equal("0", deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
        GoldenFile.AssertMatches("rollout-surge.yaml", Manifests.Yaml(deployment));
    }

    [Fact]
    public void Without_a_port_there_is_no_Service_and_no_probe()
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("quiet"));
        var children = AgentChildren.Build(Manifests.Plan(cluster, "team-a", "quiet"), OperatorOptions.Default).All;

        Assert.Empty(children.OfType<V1Service>());
        var container = children.OfType<V1Deployment>().Single().Spec.Template.Spec.Containers.Single();
        Assert.Null(container.ReadinessProbe);
        Assert.Null(container.Ports);
    }

    [Fact]
    public void Restricted_egress_allows_dns_the_in_cluster_ollama_pods_the_public_openai_and_the_extras()
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.OllamaProvider, Manifests.OllamaService, Manifests.Agent("guarded", """
              fallbacks:
                - providerRef: {name: ollama, namespace: models}
            network:
              egress: Restricted
              allow:
                - cidr: 203.0.113.0/24
                  ports: [8443, 443]
                - cidr: 198.51.100.7/32
            """));
        var plan = Manifests.Plan(cluster, "team-a", "guarded");

        var policy = NetworkPolicyBuilder.Build(plan, OperatorOptions.Default)!;

        var rules = policy.Spec.Egress;
        Assert.Equal(["UDP 53", "TCP 53", "UDP 5353", "TCP 5353"], rules[0].Ports.Select(p => $"{p.Protocol} {p.Port.Value}"));
        var ollama = rules[1];
        Assert.Equal("models", ollama.To.Single().NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);
        Assert.Equal("ollama", ollama.To.Single().PodSelector.MatchLabels["app"]);
        Assert.Equal("8000", ollama.Ports.Single().Port.Value);
        var openai = rules[2];
        Assert.Equal(["0.0.0.0/0", "::/0"], openai.To.Select(p => p.IpBlock.Cidr));
        Assert.Contains("169.254.0.0/16", openai.To[0].IpBlock.Except);
        Assert.Contains("fc00::/7", openai.To[1].IpBlock.Except);
        Assert.Contains("fe80::/10", openai.To[1].IpBlock.Except);
        Assert.Equal("443", openai.Ports.Single().Port.Value);
        Assert.Equal(["443", "8443"], rules[3].Ports.Select(p => p.Port.Value));
        Assert.Null(rules[4].Ports);
        Assert.Equal(["Egress"], policy.Spec.PolicyTypes);
        GoldenFile.AssertMatches("network-policy.yaml", Manifests.Yaml(policy));
    }

    [Fact]
    public void DNS_is_allowed_to_kube_dns_CoreDNS_OpenShift_DNS_and_NodeLocal_DNSCache_by_default()
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("guarded", ""));

        var dns = NetworkPolicyBuilder.Build(Manifests.Plan(cluster, "team-a", "guarded"), OperatorOptions.Default)!.Spec.Egress[0];

        Assert.Equal(
            ["kube-system k8s-app=kube-dns", "openshift-dns dns.operator.openshift.io/daemonset-dns=default", "169.254.20.10/32"],
            dns.To.Select(p => p.IpBlock?.Cidr ?? $"{p.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]} {p.PodSelector.MatchLabels.Single().Key}={p.PodSelector.MatchLabels.Single().Value}"));
        Assert.Equal(["UDP 53", "TCP 53", "UDP 5353", "TCP 5353"], dns.Ports.Select(p => $"{p.Protocol} {p.Port.Value}"));
    }

    [Fact]
    public void DNS_peers_given_to_the_operator_replace_the_defaults_and_none_means_no_DNS_rule_rather_than_any_destination()
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("guarded", ""));
        var plan = Manifests.Plan(cluster, "team-a", "guarded");
        var peers = DnsPeer.ParseList("dns/app=unbound, fd00::53/128", out var error);
        Assert.Null(error);

        var dns = NetworkPolicyBuilder.Build(plan, new OperatorOptions { DnsPeers = peers! })!.Spec.Egress[0];
        var none = NetworkPolicyBuilder.Build(plan, new OperatorOptions { DnsPeers = [] })!.Spec.Egress;

        Assert.Equal("dns", dns.To[0].NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);
        Assert.Equal("unbound", dns.To[0].PodSelector.MatchLabels["app"]);
        Assert.Equal("fd00::53/128", dns.To[1].IpBlock.Cidr);
        Assert.All(none, rule => Assert.NotEmpty(rule.To));
        Assert.DoesNotContain(none, rule => rule.Ports?.Any(p => p.Protocol == "UDP") == true);
    }

    [Theory]
    [InlineData("kube-system")]
    [InlineData("kube-system/k8s-app")]
    [InlineData("Kube-System/k8s-app=kube-dns")]
    [InlineData("/k8s-app=kube-dns")]
    [InlineData("169.254.20.10")]
    [InlineData("169.254.20.300/32")]
    [InlineData("kube-system/k8s-app=kube dns")]
    public void A_DNS_peer_that_is_neither_pods_nor_a_CIDR_is_refused_with_an_example(string text)
    {
        Assert.Null(DnsPeer.ParseList("kube-system/k8s-app=kube-dns," + text, out var error));
        Assert.Contains(text, error, StringComparison.Ordinal);
        Assert.Contains("kube-system/k8s-app=kube-dns", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_in_cluster_Service_is_allowed_namespace_wide_on_its_port()
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.OllamaProvider, Manifests.Agent("guarded", """
              fallbacks:
                - providerRef: {name: ollama, namespace: models}
            """));

        var policy = NetworkPolicyBuilder.Build(Manifests.Plan(cluster, "team-a", "guarded"), OperatorOptions.Default)!;

        var ollama = policy.Spec.Egress[1];
        Assert.Null(ollama.To.Single().PodSelector);
        Assert.Equal("11434", ollama.Ports.Single().Port.Value);
    }

    [Fact]
    public void An_explicit_endpoint_port_is_the_allowed_port_and_Unrestricted_means_no_policy()
    {
        var cluster = Manifests.Cluster("""
            apiVersion: drover.dev/v1alpha1
            kind: ModelProvider
            metadata: {name: vllm}
            spec: {type: OpenAICompatible, endpoint: "https://llm.example.com:8443/v1", defaultModel: qwen}
            """, Manifests.Agent("a", providerRef: "{name: vllm}"), Manifests.Agent("b", "network: {egress: Unrestricted}", providerRef: "{name: vllm}"));

        var restricted = NetworkPolicyBuilder.Build(Manifests.Plan(cluster, "team-a", "a"), OperatorOptions.Default)!;

        Assert.Equal("8443", restricted.Spec.Egress[1].Ports.Single().Port.Value);
        Assert.Null(NetworkPolicyBuilder.Build(Manifests.Plan(cluster, "team-a", "b"), OperatorOptions.Default));
    }

    [Fact]
    public void Arm64_placement_becomes_an_arch_affinity_added_to_every_user_term()
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("pi", """
            placement:
              architectures: [arm64]
              nodeSelector: {disk: ssd}
              tolerations: [{key: dedicated, operator: Equal, value: agents, effect: NoSchedule}]
              affinity:
                nodeAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                    nodeSelectorTerms:
                      - matchExpressions: [{key: zone, operator: In, values: [a]}]
                      - matchExpressions: [{key: zone, operator: In, values: [b]}]
            """));

        var pod = DeploymentBuilder.Build(Manifests.Plan(cluster, "team-a", "pi"), OperatorOptions.Default).Spec.Template.Spec;

        var terms = pod.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms;
        Assert.Equal(2, terms.Count);
        Assert.All(terms, t => Assert.Contains(t.MatchExpressions, e => e.Key == "kubernetes.io/arch" && e.Values.SequenceEqual(["arm64"])));
        Assert.Equal("ssd", pod.NodeSelector["disk"]);
        Assert.Equal("agents", pod.Tolerations.Single().Value);
        GoldenFile.AssertMatches("arm64-placement.yaml", Manifests.Yaml(DeploymentBuilder.Build(Manifests.Plan(cluster, "team-a", "pi"), OperatorOptions.Default)));
    }

    [Fact]
    public void Otlp_endpoint_adds_the_standard_otel_variables_and_without_it_there_are_none()
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("traced"));
        var plan = Manifests.Plan(cluster, "team-a", "traced");

        var with = DeploymentBuilder.Build(plan, new OperatorOptions { AgentOtlpEndpoint = "http://otel.observability.svc:4317" });
        var without = DeploymentBuilder.Build(plan, OperatorOptions.Default);

        var env = with.Spec.Template.Spec.Containers[0].Env.ToDictionary(e => e.Name, e => e.Value);
        Assert.Equal("http://otel.observability.svc:4317", env["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("traced", env["OTEL_SERVICE_NAME"]);
        Assert.Equal("k8s.namespace.name=team-a,drover.agent=traced,drover.model=gpt-4o-mini,drover.provider=openai", env["OTEL_RESOURCE_ATTRIBUTES"]);
        Assert.DoesNotContain(without.Spec.Template.Spec.Containers[0].Env, e => e.Name.StartsWith("OTEL_", StringComparison.Ordinal));
        GoldenFile.AssertMatches("otlp-on.yaml", Manifests.Yaml(with));
        GoldenFile.AssertMatches("otlp-off.yaml", Manifests.Yaml(without));
    }

    [Fact]
    public void Schedule_with_promptFrom_reads_the_prompt_from_the_ConfigMap_at_run_time()
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("reporter", """
            runOnce: {command: [agent, --once], args: ["$(DROVER_PROMPT)"]}
            storage: {size: 1Gi}
            """), """
            apiVersion: drover.dev/v1alpha1
            kind: Schedule
            metadata: {name: weekly, namespace: team-a, uid: 5c1d0000-2222-4c3c-9d7e-000000000002}
            spec:
              agentRef: {name: reporter}
              schedule: "@weekly"
              promptFrom: {configMapKeyRef: {name: prompts, key: weekly}}
              concurrencyPolicy: Replace
              startingDeadlineSeconds: 300
              timeoutSeconds: 900
              retries: 2
              suspend: true
            """);
        Assert.Null(ScheduleResolver.TryResolve(cluster.Schedules.Single(), cluster, OperatorOptions.Default, out var plan));

        var cronJob = CronJobBuilder.Build(plan!, OperatorOptions.Default);

        var spec = cronJob.Spec;
        Assert.Equal("@weekly", spec.Schedule);
        Assert.Equal("UTC", spec.TimeZone);
        Assert.Equal("Replace", spec.ConcurrencyPolicy);
        Assert.True(spec.Suspend);
        Assert.Equal(900, spec.JobTemplate.Spec.ActiveDeadlineSeconds);
        Assert.Equal(2, spec.JobTemplate.Spec.BackoffLimit);
        var pod = spec.JobTemplate.Spec.Template.Spec;
        Assert.Equal("Never", pod.RestartPolicy);
        var container = pod.Containers.Single();
        Assert.Equal(["agent", "--once"], container.Command);
        var prompt = container.Env.Single(e => e.Name == "DROVER_PROMPT");
        Assert.Equal("prompts", prompt.ValueFrom.ConfigMapKeyRef.Name);
        Assert.Equal("weekly", prompt.ValueFrom.ConfigMapKeyRef.Key);
        Assert.Equal("weekly", container.Env.Single(e => e.Name == "DROVER_SCHEDULE").Value);
        Assert.DoesNotContain(pod.Volumes, v => v.PersistentVolumeClaim is not null);
        Assert.Equal("Schedule", cronJob.Metadata.OwnerReferences.Single().Kind);
        GoldenFile.AssertMatches("schedule-prompt-from.yaml", Manifests.Yaml(cronJob));
    }
}
