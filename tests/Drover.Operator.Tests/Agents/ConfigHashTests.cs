using Drover.Operator.Agents;
using Drover.Operator.ModelProviders;
using Drover.Operator.Rendering;
using Drover.Operator.Resolution;
using Drover.Operator.Tests.TestSupport;
using k8s.Models;

namespace Drover.Operator.Tests.Agents;

/// <summary>What rolls an agent and what does not: the drover.dev/config-hash pod annotation and the credentials hash.</summary>
public sealed class ConfigHashTests
{
    private const string GroqProvider = """
        apiVersion: v1
        kind: Secret
        metadata: {name: groq-key, labels: {drover.dev/provider-credentials: "true"}}
        stringData: {key: gsk-1}
        ---
        apiVersion: drover.dev/v1alpha1
        kind: ModelProvider
        metadata: {name: groq}
        spec: {type: Groq, apiKey: {secretKeyRef: {name: groq-key, key: key}}, defaultModel: llama-3.1-8b-instant}
        """;

    private static string PodHash(InMemoryCluster cluster, string agent = "a") =>
        DeploymentBuilder.Build(Manifests.Plan(cluster, "team-a", agent), OperatorOptions.Default)
            .Spec.Template.Metadata.Annotations["drover.dev/config-hash"];

    [Fact]
    public void Rotating_a_referenced_key_changes_the_credentials_hash_and_rolls_the_agent()
    {
        var before = Manifests.Cluster(Manifests.OpenAiProvider, GroqProvider, Manifests.Agent("a"));
        var after = Manifests.Cluster(Manifests.OpenAiProvider.Replace("sk-test-1", "sk-test-2"), GroqProvider, Manifests.Agent("a"));

        Assert.NotEqual(
            ModelProviderResolver.Resolve(before.ModelProvider("team-a", "openai")!, before).CredentialsHash,
            ModelProviderResolver.Resolve(after.ModelProvider("team-a", "openai")!, after).CredentialsHash);
        Assert.NotEqual(PodHash(before), PodHash(after));
        Assert.Equal(PodHash(before), Manifests.Plan(before, "team-a", "a").Configuration.Hash);
    }

    [Fact]
    public void A_change_to_a_provider_the_agent_does_not_use_leaves_its_hash_alone()
    {
        var before = Manifests.Cluster(Manifests.OpenAiProvider, GroqProvider, Manifests.Agent("a"));
        var after = Manifests.Cluster(Manifests.OpenAiProvider, GroqProvider.Replace("gsk-1", "gsk-2").Replace("llama-3.1-8b-instant", "other"), Manifests.Agent("a"));

        Assert.Equal(PodHash(before), PodHash(after));
    }

    [Fact]
    public void Changing_instructions_config_or_model_rolls_the_agent_but_replicas_does_not()
    {
        var baseline = PodHash(Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("a", "instructions: one")));

        Assert.NotEqual(baseline, PodHash(Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("a", "instructions: two"))));
        Assert.NotEqual(baseline, PodHash(Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("a", "instructions: one\nconfig: {x: 1}"))));
        Assert.NotEqual(baseline, PodHash(Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("a", "  name: gpt-4o\ninstructions: one"))));
        Assert.Equal(baseline, PodHash(Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("a", "instructions: one\nreplicas: 3"))));
    }

    [Fact]
    public void Building_twice_gives_byte_identical_output()
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.OllamaProvider, Manifests.Agent("a", """
              fallbacks: [{providerRef: {name: ollama, namespace: models}}]
            port: 8080
            storage: {size: 1Gi}
            config: {b: 1, a: [3, 2], c: {z: true, y: null}}
            """));

        var first = Manifests.Yaml(Renderer.Render(cluster, OperatorOptions.Default).Objects);
        var second = Manifests.Yaml(Renderer.Render(cluster, OperatorOptions.Default).Objects);

        Assert.Equal(first, second);
    }

    [Fact]
    public void The_order_fields_are_written_in_does_not_matter()
    {
        var ordered = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("a", """
            config: {alpha: 1, beta: {x: 1, y: 2}}
            budget: {tokensPerDay: 10}
            port: 8080
            """));
        var shuffled = Manifests.Cluster(Manifests.OpenAiProvider.Split("---")[1], Manifests.OpenAiProvider.Split("---")[0], """
            kind: Agent
            spec:
              port: 8080
              budget: {tokensPerDay: 10}
              config: {beta: {y: 2, x: 1}, alpha: 1}
              model:
                providerRef: {name: openai}
              image: ghcr.io/example/agent:1.0
            metadata: {generation: 1, uid: 0b7a4f7e-1111-4c3c-9d7e-000000000001, namespace: team-a, name: a}
            apiVersion: drover.dev/v1alpha1
            """);

        var a = Renderer.Render(ordered, OperatorOptions.Default).Objects;
        var b = Renderer.Render(shuffled, OperatorOptions.Default).Objects;

        Assert.Equal(Manifests.Yaml(a), Manifests.Yaml(b));
        Assert.Equal(Manifests.AgentJson(a.OfType<V1Secret>().Single()), Manifests.AgentJson(b.OfType<V1Secret>().Single()));
    }

    [Fact]
    public void Keys_reach_the_pod_only_as_secretKeyRefs_to_the_agent_Secret()
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("a"));
        var plan = Manifests.Plan(cluster, "team-a", "a");

        var deploymentYaml = Manifests.Yaml(DeploymentBuilder.Build(plan, OperatorOptions.Default));
        var secret = AgentSecretBuilder.Build(plan);

        Assert.DoesNotContain("sk-test-1", deploymentYaml);
        Assert.DoesNotContain("sk-test-1", plan.Configuration.Document);
        Assert.Equal("sk-test-1", System.Text.Encoding.UTF8.GetString(secret.Data["api-key.team-a.openai"]));
        var env = DeploymentBuilder.Build(plan, OperatorOptions.Default).Spec.Template.Spec.Containers[0].Env;
        Assert.All(env.Where(e => e.Name is "DROVER_API_KEY" or "OPENAI_API_KEY"), e =>
        {
            Assert.Null(e.Value);
            Assert.Equal("a-config", e.ValueFrom.SecretKeyRef.Name);
            Assert.Equal("api-key.team-a.openai", e.ValueFrom.SecretKeyRef.Key);
        });
    }
}
