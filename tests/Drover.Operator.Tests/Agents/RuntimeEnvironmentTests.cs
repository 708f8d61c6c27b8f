using Drover.Operator.Agents;
using Drover.Operator.Tests.TestSupport;

namespace Drover.Operator.Tests.Agents;

public sealed class RuntimeEnvironmentTests
{
    private static Dictionary<string, k8s.Models.V1EnvVar> Env(string type, string endpoint)
    {
        var cluster = Manifests.Cluster($$"""
            apiVersion: v1
            kind: Secret
            metadata:
              name: k
              labels: {drover.dev/provider-credentials: "true"}
            stringData: {key: secret}
            ---
            apiVersion: drover.dev/v1alpha1
            kind: ModelProvider
            metadata: {name: openai}
            spec:
              type: {{type}}
              endpoint: "{{endpoint}}"
              apiKey:
                secretKeyRef: {name: k, key: key}
              defaultModel: m
            """, Manifests.Agent("a"));
        return RuntimeEnvironment.For(Manifests.Plan(cluster, "team-a", "a"), OperatorOptions.Default).ToDictionary(e => e.Name);
    }

    [Theory]
    [InlineData("OpenAI", "OPENAI_API_KEY")]
    [InlineData("Anthropic", "ANTHROPIC_API_KEY")]
    [InlineData("Gemini", "GEMINI_API_KEY")]
    [InlineData("Groq", "GROQ_API_KEY")]
    [InlineData("DeepSeek", "DEEPSEEK_API_KEY")]
    [InlineData("OpenRouter", "OPENROUTER_API_KEY")]
    [InlineData("Mistral", "MISTRAL_API_KEY")]
    [InlineData("OpenAICompatible", "OPENAI_API_KEY")]
    public void Each_provider_type_gets_its_native_key_variable(string type, string keyVariable)
    {
        var env = Env(type, "https://llm.example.com/v1");

        Assert.Equal("api-key.team-a.openai", env[keyVariable].ValueFrom.SecretKeyRef.Key);
        Assert.Equal("https://llm.example.com/v1", env["DROVER_BASE_URL"].Value);
        Assert.Equal(type, env["DROVER_PROVIDER_TYPE"].Value);
        Assert.Equal("m", env["DROVER_MODEL"].Value);
    }

    [Fact]
    public void Base_url_variables_follow_the_type_and_ollama_gets_a_host_without_path()
    {
        Assert.Equal("https://llm.example.com/v1", Env("OpenAI", "https://llm.example.com/v1")["OPENAI_BASE_URL"].Value);
        Assert.Equal("https://proxy.example.com", Env("Anthropic", "https://proxy.example.com")["ANTHROPIC_BASE_URL"].Value);
        Assert.Equal("http://ollama.models.svc:11434", Env("Ollama", "http://ollama.models.svc:11434/api")["OLLAMA_HOST"].Value);
    }

    [Fact]
    public void Operator_variables_are_sorted_and_the_users_follow_in_their_order_overriding_native_names()
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("a", """
            env:
              - {name: ZED, value: "1"}
              - {name: OPENAI_BASE_URL, value: "https://proxy.internal/v1"}
              - {name: ALPHA, value: "$(ZED)"}
            """));

        var env = RuntimeEnvironment.For(Manifests.Plan(cluster, "team-a", "a"), OperatorOptions.Default);

        var names = env.Select(e => e.Name).ToList();
        var operatorNames = names.Take(names.Count - 3).ToList();
        Assert.Equal(operatorNames.Order(StringComparer.Ordinal), operatorNames);
        Assert.Equal(["ZED", "OPENAI_BASE_URL", "ALPHA"], names.TakeLast(3));
        Assert.Single(env, e => e.Name == "OPENAI_BASE_URL");
    }
}
