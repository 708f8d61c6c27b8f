using Drover.Operator.Cluster;
using Drover.Operator.Hosting;
using Drover.Scenarios.Support;
using k8s.Models;
using Xunit.Abstractions;

namespace Drover.Scenarios.Stories;

/// <summary>An agent with Restricted egress gets a NetworkPolicy that works on real clusters: their DNS, both IP families.</summary>
public sealed class NetworkPolicyTests(ITestOutputHelper output)
{
    private static string World() => string.Join("\n---\n", Manifests.Secret("openai-key", "api-key", "sk-1"), Manifests.OpenAIProvider("openai", "openai-key"), Manifests.Agent("guarded", "openai"));

    [Fact]
    public async Task By_default_DNS_reaches_kube_dns_CoreDNS_OpenShift_DNS_and_NodeLocal_DNSCache_and_public_providers_both_IP_families()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        await scenario.ApplyYamlAsync(World());
        await scenario.StartOperatorAsync();
        await scenario.WaitForAgentAsync("guarded", "True", "Available");

        var policy = (await scenario.GetAsync(OperatorKinds.NetworkPolicies, "guarded"))!;

        var dns = policy.Spec.Egress[0];
        Assert.Equal(["kube-system:k8s-app=kube-dns", "openshift-dns:dns.operator.openshift.io/daemonset-dns=default", "169.254.20.10/32"], dns.To.Select(Describe));
        Assert.Equal(["UDP 53", "TCP 53", "UDP 5353", "TCP 5353"], dns.Ports.Select(p => $"{p.Protocol} {p.Port.Value}"));
        var openai = policy.Spec.Egress.Single(r => r.To.Any(p => p.IpBlock?.Cidr == "0.0.0.0/0"));
        Assert.Equal(["0.0.0.0/0", "::/0"], openai.To.Select(p => p.IpBlock.Cidr));
        Assert.Contains("169.254.0.0/16", openai.To[0].IpBlock.Except);
        Assert.Contains("fc00::/7", openai.To[1].IpBlock.Except);
        Assert.Contains("fe80::/10", openai.To[1].IpBlock.Except);
        Assert.Equal(["TCP 443"], openai.Ports.Select(p => $"{p.Protocol} {p.Port.Value}"));
    }

    [Fact]
    public async Task DNS_peers_given_to_drover_run_replace_the_defaults()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        await scenario.ApplyYamlAsync(World());
        var options = RunOptions.Parse(["--workers=2", "--dns-peers=dns/app=unbound,fd00::53/128"], _ => null, out var error, out _);
        Assert.True(options is not null, error);
        await scenario.StartOperatorAsync(options);
        await scenario.WaitForAgentAsync("guarded", "True", "Available");

        var policy = (await scenario.GetAsync(OperatorKinds.NetworkPolicies, "guarded"))!;

        Assert.Equal(["dns:app=unbound", "fd00::53/128"], policy.Spec.Egress[0].To.Select(Describe));
        Assert.DoesNotContain(policy.Spec.Egress, r => r.To.Any(p => p.PodSelector?.MatchLabels?.ContainsKey("k8s-app") == true));
    }

    private static string Describe(V1NetworkPolicyPeer peer) => peer.IpBlock?.Cidr
        ?? $"{peer.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]}:{string.Join(",", peer.PodSelector.MatchLabels.Select(l => $"{l.Key}={l.Value}"))}";
}
