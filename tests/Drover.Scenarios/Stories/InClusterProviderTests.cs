using Drover.Operator.Cluster;
using Drover.Scenarios.Support;
using Xunit.Abstractions;

namespace Drover.Scenarios.Stories;

/// <summary>
/// A model server inside the cluster is reached through its Service, whether the provider names it with serviceRef or
/// writes its cluster DNS name as the endpoint. The agent's NetworkPolicy allows exactly the Service's pods on their
/// target port, and follows the Service when it changes.
/// </summary>
public sealed class InClusterProviderTests(ITestOutputHelper output)
{
    private const string Service = """
        apiVersion: v1
        kind: Service
        metadata: {name: vllm, namespace: models}
        spec:
          selector: {app: vllm}
          ports: [{name: http, port: 8000, targetPort: 8080}]
        """;

    [Fact]
    public async Task A_Service_named_by_an_endpoint_drives_the_agents_NetworkPolicy_and_is_followed_when_it_changes()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        await scenario.ApplyYamlAsync(Manifests.Namespace("models") + "\n---\n" + Service + "\n---\n" + """
            apiVersion: drover.dev/v1alpha1
            kind: ModelProvider
            metadata: {name: vllm, namespace: default}
            spec:
              type: OpenAICompatible
              endpoint: http://vllm.models.svc.cluster.local:8000/v1
              defaultModel: qwen2.5
            """ + "\n---\n" + Manifests.Agent("a", "vllm", model: null, extra: "  network: {egress: Restricted}"));
        await scenario.StartOperatorAsync();
        await scenario.WaitForAgentAsync("a", "True", "Available");
        await scenario.WaitForAsync(OperatorKinds.NetworkPolicies, "a", p => AllowsVllm(p, "vllm", "8080"), "a rule for the vllm pods on their target port");

        // The model server moves to other pods and another port: the agent's egress follows, with no change to the agent.
        await scenario.ApplyYamlAsync(Service.Replace("{app: vllm}", "{app: vllm-v2}", StringComparison.Ordinal).Replace("targetPort: 8080", "targetPort: 9000", StringComparison.Ordinal));

        await scenario.WaitForAsync(
            OperatorKinds.NetworkPolicies,
            "a",
            p => AllowsVllm(p, "vllm-v2", "9000"),
            "the rule to follow the Service to app=vllm-v2 on 9000",
            timeout: TimeSpan.FromSeconds(10));
    }

    private static bool AllowsVllm(k8s.Models.V1NetworkPolicy policy, string app, string port) =>
        policy.Spec.Egress.Any(rule =>
            rule.To is [var peer]
            && peer.NamespaceSelector?.MatchLabels is { } namespaces && namespaces.TryGetValue("kubernetes.io/metadata.name", out var ns) && ns == "models"
            && peer.PodSelector?.MatchLabels is { } pods && pods.TryGetValue("app", out var selected) && selected == app
            && rule.Ports?.SingleOrDefault()?.Port?.Value == port);
}
