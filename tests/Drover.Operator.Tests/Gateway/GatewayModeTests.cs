using System.Text;
using System.Text.Json.Nodes;
using Drover.Api;
using Drover.Operator.Agents;
using Drover.Operator.Children;
using Drover.Operator.Gateway;
using Drover.Operator.Rendering;
using Drover.Operator.Resolution;
using Drover.Operator.Tests.TestSupport;
using k8s;
using k8s.Models;

namespace Drover.Operator.Tests.Gateway;

/// <summary>
/// Agents and Schedules in Gateway mode: their pods hold a key of their own and the gateway's URLs, never a provider
/// key; their egress goes to the gateway only.
/// </summary>
public sealed class GatewayModeTests
{
    private static readonly OperatorOptions WithGateway = new()
    {
        Gateway = GatewayEndpoint.Parse("http://drover-gateway.drover-system.svc:8090", out _),
    };

    private static (InMemoryCluster Cluster, RenderResult Result) RenderSamples(OperatorOptions options)
    {
        var cluster = new InMemoryCluster();
        var issued = 0;
        cluster.GatewayKeys = new GatewayKeyIssuer(() => $"drv_test-key-{++issued}");
        Assert.Empty(ManifestLoader.Load([RepositoryPaths.Samples], "default", cluster));
        var result = Renderer.Render(cluster, options);
        Assert.Empty(result.Problems);
        return (cluster, result);
    }

    [Fact]
    public void The_samples_through_the_gateway_hold_no_provider_key_anywhere_and_each_owner_has_its_own_key()
    {
        var (_, result) = RenderSamples(WithGateway);

        // Not a byte of the provider key, in any encoding, in anything the operator creates in the agent's namespace.
        var everything = string.Join("\n", result.Objects.Select(o => KubeObjectJson.ToJson(o).ToJsonString()));
        foreach (var secret in result.Objects.OfType<V1Secret>())
        {
            everything += string.Concat((secret.Data ?? new Dictionary<string, byte[]>()).Values.Select(Encoding.UTF8.GetString));
        }

        Assert.DoesNotContain("sk-replace-me", everything, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("sk-replace-me")), everything, StringComparison.Ordinal);

        var keys = result.Objects.OfType<V1Secret>().Where(s => s.Metadata.Labels.ContainsKey(DroverLabels.GatewayKey)).ToList();
        Assert.Equal(["echo-gateway", "morning-summary-gateway"], keys.Select(k => k.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.Equal("echo", keys.Single(k => k.Metadata.Name == "echo-gateway").Metadata.Labels[DroverLabels.Agent]);
        Assert.Equal("morning-summary", keys.Single(k => k.Metadata.Name == "morning-summary-gateway").Metadata.Labels[DroverLabels.Schedule]);
        Assert.All(keys, k => Assert.Equal("Agent" == k.Metadata.OwnerReferences.Single().Kind ? "echo" : "morning-summary", k.Metadata.OwnerReferences.Single().Name));

        // The always-on pod authenticates with the agent's key; a run with its Schedule's (so usage is counted per Schedule).
        var agentEnv = result.Objects.OfType<V1Deployment>().Single().Spec.Template.Spec.Containers.Single().Env;
        Assert.Equal("http://drover-gateway.drover-system.svc:8090/v1", agentEnv.Single(e => e.Name == "OPENAI_BASE_URL").Value);
        Assert.Equal(("echo-gateway", "token"), KeyRef(agentEnv, "OPENAI_API_KEY"));
        Assert.Equal(("echo-gateway", "token"), KeyRef(agentEnv, "DROVER_API_KEY"));
        Assert.DoesNotContain(agentEnv, e => e.Name == "OLLAMA_HOST");
        var runEnv = result.Objects.OfType<V1CronJob>().Single().Spec.JobTemplate.Spec.Template.Spec.Containers.Single().Env;
        Assert.Equal(("morning-summary-gateway", "token"), KeyRef(runEnv, "OPENAI_API_KEY"));

        // agent.json names the gateway and the key file, with every link's endpoint the gateway.
        var document = JsonNode.Parse(Manifests.AgentJson(result.Objects.OfType<V1Secret>().Single(s => s.Metadata.Name == "echo-config")))!;
        Assert.Equal("/var/run/drover/gateway/token", (string?)document["gateway"]!["apiKeyFile"]);
        Assert.All(
            [document["model"]!["primary"]!, .. document["model"]!["fallbacks"]!.AsArray()],
            link => Assert.Equal("http://drover-gateway.drover-system.svc:8090/v1", (string?)link!["endpoint"]));

        // Egress: DNS and the gateway's namespace, nothing public, no model server.
        var policy = result.Objects.OfType<V1NetworkPolicy>().Single();
        Assert.DoesNotContain(policy.Spec.Egress, r => r.To.Any(p => p.IpBlock?.Cidr is "0.0.0.0/0" or "::/0"));
        Assert.All(policy.Spec.Egress.Where(r => r.To.Any(p => p.IpBlock is not null)), r => Assert.All(r.Ports, p => Assert.Contains(p.Port.Value, new[] { "53", "5353" })));
        Assert.Contains(policy.Spec.Egress, r => r.To.Any(p => NamespaceOf(p) == "drover-system")
            && r.Ports.Single().Port.Value == "8090");
        Assert.DoesNotContain(policy.Spec.Egress, r => r.To.Any(p => NamespaceOf(p) == "default"));

        GoldenFile.AssertMatches("samples-gateway.yaml", Manifests.Yaml(result.Objects));
    }

    [Fact]
    public void Without_a_gateway_the_samples_are_unchanged_and_an_agent_may_choose_Direct_beside_one()
    {
        var (_, direct) = RenderSamples(OperatorOptions.Default);
        Assert.DoesNotContain(direct.Objects.OfType<V1Secret>(), s => s.Metadata.Name.EndsWith("-gateway", StringComparison.Ordinal));

        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("direct", "network: {egress: Restricted}").Replace("providerRef: {name: openai}", "providerRef: {name: openai}\n    access: Direct", StringComparison.Ordinal));
        var plan = AgentResolver.Resolve(cluster.Agent("team-a", "direct")!, cluster, WithGateway).Plan!;
        Assert.False(plan.UsesGateway);
        var env = AgentChildren.Build(plan, WithGateway).Deployment.Spec.Template.Spec.Containers.Single().Env;
        Assert.Equal(("direct-config", "api-key.team-a.openai"), KeyRef(env, "OPENAI_API_KEY"));
        Assert.Equal("https://api.openai.com/v1", env.Single(e => e.Name == "OPENAI_BASE_URL").Value);
        Assert.Null(AgentChildren.Build(plan, WithGateway).GatewayKey);
    }

    [Fact]
    public void An_agent_that_asks_for_the_gateway_of_an_operator_without_one_is_told_how_to_get_one()
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("wants", "").Replace("providerRef: {name: openai}", "providerRef: {name: openai}\n    access: Gateway", StringComparison.Ordinal));

        var resolution = AgentResolver.Resolve(cluster.Agent("team-a", "wants")!, cluster, OperatorOptions.Default);

        Assert.Equal(AgentReasons.GatewayUnknown, resolution.Failure?.Reason);
        Assert.Contains("gateway.enabled=true", resolution.Failure!.Message, StringComparison.Ordinal);
        Assert.Contains("--gateway-url", resolution.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gateway_behind_a_Service_is_reached_on_its_pods_and_target_port()
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("a", ""), """
            apiVersion: v1
            kind: Service
            metadata: {name: drover-gateway, namespace: drover-system}
            spec:
              selector: {app.kubernetes.io/name: drover, app.kubernetes.io/component: gateway}
              ports: [{port: 8090, targetPort: api}]
            """);

        var plan = AgentResolver.Resolve(cluster.Agent("team-a", "a")!, cluster, WithGateway).Plan!;
        var rule = NetworkPolicyBuilder.Build(plan, WithGateway)!.Spec.Egress.Single(r => r.To.Any(p => p.PodSelector?.MatchLabels?.ContainsKey("app.kubernetes.io/component") == true));

        Assert.Equal("gateway", rule.To.Single().PodSelector.MatchLabels["app.kubernetes.io/component"]);
        Assert.Equal("api", rule.Ports.Single().Port.Value);
    }

    [Fact]
    public void A_key_is_kept_until_a_rotation_is_asked_for_and_is_issued_once_while_the_cache_catches_up()
    {
        var issued = 0;
        var issuer = new GatewayKeyIssuer(() => $"drv_{++issued}");

        var first = issuer.KeyFor("ns", "a-gateway", "uid-1", live: null, rotation: null);
        Assert.Equal(first, issuer.KeyFor("ns", "a-gateway", "uid-1", live: null, rotation: null));
        Assert.Equal(1, issued);

        // Once the Secret holds it, the live key is the key, whatever was issued.
        var live = new GatewayKey("drv_live", null);
        Assert.Equal(live, issuer.KeyFor("ns", "a-gateway", "uid-1", live, rotation: null));

        // A rotation request replaces it once, and the new key stays while the old Secret is still cached.
        var rotated = issuer.KeyFor("ns", "a-gateway", "uid-1", live, rotation: "2026-12-02");
        Assert.NotEqual(live.Token, rotated.Token);
        Assert.Equal(rotated, issuer.KeyFor("ns", "a-gateway", "uid-1", live, rotation: "2026-12-02"));
        Assert.Equal(rotated, issuer.KeyFor("ns", "a-gateway", "uid-1", rotated, rotation: "2026-12-02"));

        // A recreated owner of the same name does not inherit an issued key.
        Assert.NotEqual(first.Token, issuer.KeyFor("ns", "a-gateway", "uid-2", live: null, rotation: null).Token);
    }

    [Fact]
    public void A_fresh_key_is_256_random_bits_after_its_prefix_and_a_Secret_without_the_label_is_no_key()
    {
        var token = GatewayKey.NewToken();
        Assert.StartsWith("drv_", token, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(token[4..].Replace('-', '+').Replace('_', '/') + "=").Length);
        Assert.NotEqual(token, GatewayKey.NewToken());

        var unlabelled = new V1Secret { Metadata = new V1ObjectMeta { Name = "a-gateway" }, Data = new Dictionary<string, byte[]> { ["token"] = Encoding.UTF8.GetBytes(token) } };
        Assert.Null(GatewayKey.From(unlabelled));
        unlabelled.Metadata.Labels = new Dictionary<string, string> { [DroverLabels.GatewayKey] = "true" };
        Assert.Equal(token, GatewayKey.From(unlabelled)?.Token);
    }

    private static string? NamespaceOf(V1NetworkPolicyPeer peer) =>
        peer.NamespaceSelector?.MatchLabels is { } labels && labels.TryGetValue(InMemoryCluster.NamespaceNameLabel, out var ns) ? ns : null;

    private static (string Secret, string Key) KeyRef(IEnumerable<V1EnvVar> env, string name)
    {
        var reference = env.Single(e => e.Name == name).ValueFrom.SecretKeyRef;
        return (reference.Name, reference.Key);
    }
}
