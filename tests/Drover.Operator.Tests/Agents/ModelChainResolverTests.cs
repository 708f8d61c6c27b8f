using Drover.Operator.Agents;
using Drover.Operator.Tests.TestSupport;

namespace Drover.Operator.Tests.Agents;

public sealed class ModelChainResolverTests
{
    private static AgentResolution Resolve(params string[] yaml)
    {
        var cluster = Manifests.Cluster(yaml);
        return AgentResolver.Resolve(cluster.Agents.Single(), cluster, OperatorOptions.Default);
    }

    [Fact]
    public void The_model_defaults_to_the_providers_defaultModel_and_fallbacks_follow_in_order()
    {
        var resolution = Resolve(Manifests.OpenAiProvider, Manifests.OllamaProvider, Manifests.Agent("a", """
              fallbacks:
                - providerRef: {name: ollama, namespace: models}
                - providerRef: {name: openai}
                  name: gpt-4o
            """));

        Assert.True(resolution.Succeeded, resolution.Failure?.ToString());
        var chain = resolution.Plan!.Chain;
        Assert.Equal("gpt-4o-mini", chain.Primary.Model);
        Assert.Equal(["llama3.2", "gpt-4o"], chain.Fallbacks.Select(f => f.Model));
        Assert.Equal("http://ollama.models.svc:11434", chain.Fallbacks[0].Endpoint);
        Assert.Equal(2, chain.Providers.Count);
        Assert.True(resolution.ModelResolved.IsTrue);
        Assert.Contains("with 2 fallbacks", resolution.ModelResolved.Message);
        var status = chain.ToStatus();
        Assert.Equal("team-a/openai", status.Primary!.Provider);
        Assert.Equal("Ollama", status.Fallbacks![0].ProviderType);
    }

    [Fact]
    public void A_missing_provider_is_ProviderNotFound()
    {
        var resolution = Resolve(Manifests.Agent("a"));

        Assert.Equal(AgentReasons.ProviderNotFound, resolution.Failure!.Reason);
        Assert.Equal(AgentReasons.ProviderNotFound, resolution.ModelResolved.Reason);
        Assert.Equal("spec.model.providerRef: ModelProvider \"openai\" was not found in namespace \"team-a\"; create it or correct the name.", resolution.Failure.Message);
    }

    [Fact]
    public void A_provider_without_its_Secret_is_ProviderNotReady_with_the_providers_reason()
    {
        var resolution = Resolve(Manifests.OpenAiProvider.Split("---")[1], Manifests.Agent("a"));

        Assert.Equal(AgentReasons.ProviderNotReady, resolution.Failure!.Reason);
        Assert.Contains("ModelProvider \"team-a/openai\" is not ready (SecretNotFound)", resolution.Failure.Message);
    }

    [Fact]
    public void A_provider_in_another_namespace_that_does_not_allow_it_is_ProviderNotAllowed()
    {
        var resolution = Resolve(Manifests.OllamaProvider.Replace("{from: All}", "{from: Same}"), Manifests.Agent("a", providerRef: "{name: ollama, namespace: models}"));

        Assert.Equal(AgentReasons.ProviderNotAllowed, resolution.Failure!.Reason);
        Assert.Contains("does not allow agents from namespace \"team-a\"", resolution.Failure.Message);
        Assert.Contains("spec.allowedNamespaces", resolution.Failure.Message);
    }

    [Fact]
    public void A_model_outside_the_allow_list_is_ModelNotAllowed_listing_the_allowed_ones()
    {
        var resolution = Resolve(Manifests.OpenAiProvider, Manifests.Agent("a", "  name: gpt-5"));

        Assert.Equal(AgentReasons.ModelNotAllowed, resolution.Failure!.Reason);
        Assert.Contains("model \"gpt-5\" is not allowed", resolution.Failure.Message);
        Assert.Contains("use one of: gpt-4o-mini, gpt-4o", resolution.Failure.Message);
    }

    [Fact]
    public void No_model_name_and_no_default_is_ModelRequired_and_names_the_fallback_at_fault()
    {
        var resolution = Resolve(Manifests.OpenAiProvider, """
            apiVersion: drover.dev/v1alpha1
            kind: ModelProvider
            metadata: {name: groq}
            spec: {type: Groq, apiKey: {secretKeyRef: {name: openai-key, key: api-key}}}
            """, Manifests.Agent("a", """
              fallbacks:
                - providerRef: {name: groq}
            """));

        Assert.Equal(AgentReasons.ModelRequired, resolution.Failure!.Reason);
        Assert.StartsWith("spec.model.fallbacks[0].name is not set", resolution.Failure.Message);
    }

    [Fact]
    public void A_spec_the_validator_rejects_is_InvalidSpec()
    {
        var resolution = Resolve(Manifests.OpenAiProvider, Manifests.Agent("a", """
            env: [{name: DROVER_MODEL, value: x}]
            """));

        Assert.Equal(AgentReasons.InvalidSpec, resolution.Failure!.Reason);
        Assert.Contains("spec.env[0].name", resolution.Failure.Message);
    }

    [Fact]
    public void Instructions_come_from_the_ConfigMap_and_a_missing_key_is_InstructionsNotFound()
    {
        const string agent = """
            instructionsFrom: {configMapKeyRef: {name: prompts, key: system}}
            """;
        var found = Resolve(Manifests.OpenAiProvider, Manifests.Agent("a", agent), """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: prompts}
            data: {system: Be brief.}
            """);
        var missingKey = Resolve(Manifests.OpenAiProvider, Manifests.Agent("a", agent), """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: prompts}
            data: {other: x}
            """);

        Assert.Equal("Be brief.", found.Plan!.Instructions);
        Assert.Contains("\"instructions\": \"Be brief.\"", found.Plan.Configuration.Document);
        Assert.Equal(AgentReasons.InstructionsNotFound, missingKey.Failure!.Reason);
        Assert.Contains("it has: other", missingKey.Failure.Message);
        Assert.True(missingKey.ModelResolved.IsTrue);
    }
}
