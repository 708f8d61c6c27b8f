using System.Text;
using Drover.Operator.Agents;
using Drover.Operator.Children;
using Drover.Operator.Rendering;
using Drover.Operator.Resolution;
using k8s;
using k8s.Models;

namespace Drover.Operator.Tests.TestSupport;

/// <summary>Builds test clusters from YAML, as a user would write the objects, and prints objects back as YAML.</summary>
internal static class Manifests
{
    public const string OpenAiProvider = """
        apiVersion: v1
        kind: Secret
        metadata: {name: openai-key, namespace: team-a, labels: {drover.dev/provider-credentials: "true"}}
        stringData: {api-key: sk-test-1}
        ---
        apiVersion: drover.dev/v1alpha1
        kind: ModelProvider
        metadata: {name: openai, namespace: team-a}
        spec:
          type: OpenAI
          apiKey: {secretKeyRef: {name: openai-key, key: api-key}}
          models: [gpt-4o-mini, gpt-4o]
          defaultModel: gpt-4o-mini
        """;

    public const string OllamaProvider = """
        apiVersion: drover.dev/v1alpha1
        kind: ModelProvider
        metadata: {name: ollama, namespace: models}
        spec:
          type: Ollama
          serviceRef: {name: ollama, port: 11434}
          defaultModel: llama3.2
          allowedNamespaces: {from: All}
        """;

    public const string OllamaService = """
        apiVersion: v1
        kind: Service
        metadata: {name: ollama, namespace: models}
        spec:
          selector: {app: ollama}
          ports: [{name: api, port: 11434, targetPort: 8000}]
        """;

    /// <summary>A fixed digest key, so hashes in golden files are stable; the operator's own key is random.</summary>
    public static SecretDigest Digest { get; } = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    public static InMemoryCluster Cluster(params string[] yamlDocuments)
    {
        var cluster = new InMemoryCluster { SecretDigest = Digest };
        foreach (var yaml in yamlDocuments)
        {
            foreach (var document in YamlReader.ReadDocuments(yaml))
            {
                var problem = ManifestLoader.Add(document, "team-a", cluster);
                Assert.True(problem is null, problem);
            }
        }

        return cluster;
    }

    /// <summary>An agent in team-a named <paramref name="name"/> using the OpenAI provider, with <paramref name="specExtra"/> appended to its spec.</summary>
    // providerRef: the primary model's provider, as a YAML flow mapping.
    public static string Agent(string name, string specExtra = "", string providerRef = "{name: openai}") => $$"""
        apiVersion: drover.dev/v1alpha1
        kind: Agent
        metadata: {name: {{name}}, namespace: team-a, uid: 0b7a4f7e-1111-4c3c-9d7e-000000000001, generation: 1}
        spec:
          image: ghcr.io/example/agent:1.0
          model:
            providerRef: {{providerRef}}
          {{Indent(specExtra, 2)}}
        """;

    public static AgentPlan Plan(InMemoryCluster cluster, string ns, string name)
    {
        var agent = cluster.Agent(ns, name) ?? throw new InvalidOperationException($"no agent {ns}/{name}");
        var resolution = AgentResolver.Resolve(agent, cluster, OperatorOptions.Default);
        Assert.True(resolution.Succeeded, resolution.Failure?.ToString());
        return resolution.Plan!;
    }

    public static string Yaml(IEnumerable<IKubernetesObject<V1ObjectMeta>> objects) =>
        YamlWriter.Write(objects.Select(KubeObjectJson.ToJson));

    public static string Yaml(IKubernetesObject<V1ObjectMeta> obj) => Yaml([obj]);

    public static string AgentJson(V1Secret secret) => Encoding.UTF8.GetString(secret.Data!["agent.json"]);

    private static string Indent(string text, int spaces)
    {
        var pad = new string(' ', spaces);
        return string.Join("\n", text.Split('\n').Select((line, i) => i == 0 || line.Length == 0 ? line : pad + line));
    }
}
