using Drover.Operator.ModelProviders;
using Drover.Operator.Tests.TestSupport;

namespace Drover.Operator.Tests.ModelProviders;

public sealed class ModelProviderResolverTests
{
    private static ResolvedProvider Resolve(params string[] yaml)
    {
        var cluster = Manifests.Cluster(yaml);
        return ModelProviderResolver.Resolve(cluster.ModelProviders.Single(), cluster);
    }

    [Fact]
    public void A_hosted_provider_gets_its_default_endpoint_and_key_and_a_hash_that_is_not_the_key()
    {
        var provider = Resolve(Manifests.OpenAiProvider);

        Assert.True(provider.IsReady);
        Assert.Equal(ModelProviderReasons.Resolved, provider.Ready.Reason);
        Assert.True(provider.CredentialsResolved.IsTrue);
        Assert.Equal("https://api.openai.com/v1", provider.Endpoint);
        Assert.Equal("sk-test-1", provider.ApiKey);
        Assert.Matches("^[0-9a-f]{16}$", provider.CredentialsHash!);
        Assert.DoesNotContain("sk-test-1", provider.ToString(), StringComparison.Ordinal);
        Assert.Equal("https://api.openai.com/v1", provider.ToStatus(3).Endpoint);
        Assert.Equal(provider.CredentialsHash, provider.ToStatus(3).CredentialsHash);
    }

    [Theory]
    [InlineData("Groq", "https://api.groq.com/openai/v1")]
    [InlineData("OpenRouter", "https://openrouter.ai/api/v1")]
    [InlineData("Anthropic", "https://api.anthropic.com")]
    public void Each_hosted_type_has_its_own_default_endpoint(string type, string endpoint)
    {
        var provider = Resolve($$"""
            apiVersion: v1
            kind: Secret
            metadata:
              name: k
              labels: {drover.dev/provider-credentials: "true"}
            stringData:
              key: secret
            ---
            apiVersion: drover.dev/v1alpha1
            kind: ModelProvider
            metadata: {name: p}
            spec:
              type: {{type}}
              apiKey:
                secretKeyRef: {name: k, key: key}
            """);

        Assert.True(provider.IsReady, provider.Ready.Message);
        Assert.Equal(endpoint, provider.Endpoint);
    }

    [Fact]
    public void A_serviceRef_resolves_to_the_cluster_dns_name_and_needs_no_key()
    {
        var provider = Resolve("""
            apiVersion: drover.dev/v1alpha1
            kind: ModelProvider
            metadata: {name: vllm, namespace: ml}
            spec: {type: OpenAICompatible, serviceRef: {name: vllm, port: 8000, path: /v1}}
            """);

        Assert.True(provider.IsReady, provider.Ready.Message);
        Assert.Equal("http://vllm.ml.svc:8000/v1", provider.Endpoint);
        Assert.Null(provider.ApiKey);
        Assert.Null(provider.CredentialsHash);
    }

    [Fact]
    public void A_missing_Secret_is_SecretNotFound_and_says_how_to_create_it()
    {
        var provider = Resolve("""
            apiVersion: drover.dev/v1alpha1
            kind: ModelProvider
            metadata: {name: openai}
            spec: {type: OpenAI, apiKey: {secretKeyRef: {name: openai-key, key: api-key}}}
            """);

        Assert.False(provider.IsReady);
        Assert.Equal(ModelProviderReasons.SecretNotFound, provider.Ready.Reason);
        Assert.Equal(ModelProviderReasons.SecretNotFound, provider.CredentialsResolved.Reason);
        Assert.Contains("Secret \"openai-key\"", provider.CredentialsResolved.Message);
        Assert.Contains("kubectl -n team-a create secret generic openai-key --from-literal=api-key=", provider.CredentialsResolved.Message);
        Assert.Null(provider.ApiKey);
        Assert.Null(provider.CredentialsHash);
    }

    [Fact]
    public void A_missing_key_is_KeyNotFound_and_lists_the_keys_the_Secret_has()
    {
        var provider = Resolve("""
            apiVersion: v1
            kind: Secret
            metadata: {name: openai-key, labels: {drover.dev/provider-credentials: "true"}}
            data: {apikey: c2stMQ==, token: c2stMg==}
            ---
            apiVersion: drover.dev/v1alpha1
            kind: ModelProvider
            metadata: {name: openai}
            spec: {type: OpenAI, apiKey: {secretKeyRef: {name: openai-key, key: api-key}}}
            """);

        Assert.Equal(ModelProviderReasons.KeyNotFound, provider.Ready.Reason);
        Assert.Contains("no key \"api-key\"", provider.CredentialsResolved.Message);
        Assert.Contains("it has: apikey, token", provider.CredentialsResolved.Message);
        Assert.DoesNotContain("sk-1", provider.CredentialsResolved.Message);
    }

    [Fact]
    public void An_empty_key_is_KeyNotFound_and_a_trailing_newline_is_trimmed()
    {
        var empty = Resolve("""
            apiVersion: v1
            kind: Secret
            metadata: {name: k, labels: {drover.dev/provider-credentials: "true"}}
            stringData: {api-key: ""}
            ---
            apiVersion: drover.dev/v1alpha1
            kind: ModelProvider
            metadata: {name: openai}
            spec: {type: OpenAI, apiKey: {secretKeyRef: {name: k, key: api-key}}}
            """);
        var newline = Resolve("""
            apiVersion: v1
            kind: Secret
            metadata: {name: k, labels: {drover.dev/provider-credentials: "true"}}
            data: {api-key: c2stMQo=}
            ---
            apiVersion: drover.dev/v1alpha1
            kind: ModelProvider
            metadata: {name: openai}
            spec: {type: OpenAI, apiKey: {secretKeyRef: {name: k, key: api-key}}}
            """);

        Assert.Equal(ModelProviderReasons.KeyNotFound, empty.Ready.Reason);
        Assert.Contains("is empty", empty.Ready.Message);
        Assert.Equal("sk-1", newline.ApiKey);
    }

    [Fact]
    public void An_OpenAICompatible_provider_without_endpoint_is_EndpointRequired()
    {
        var provider = Resolve("""
            apiVersion: drover.dev/v1alpha1
            kind: ModelProvider
            metadata: {name: local}
            spec: {type: OpenAICompatible}
            """);

        Assert.Equal(ModelProviderReasons.EndpointRequired, provider.Ready.Reason);
        Assert.Contains("set spec.endpoint", provider.Ready.Message);
        Assert.True(provider.CredentialsResolved.IsTrue);
    }

    [Fact]
    public void A_spec_the_validator_rejects_is_InvalidSpec_naming_the_field()
    {
        var provider = Resolve("""
            apiVersion: drover.dev/v1alpha1
            kind: ModelProvider
            metadata: {name: local}
            spec: {type: OpenAICompatible, endpoint: "http://x.example/v1", models: [a, b], defaultModel: c}
            """);

        Assert.Equal(ModelProviderReasons.InvalidSpec, provider.Ready.Reason);
        Assert.Contains("spec.defaultModel", provider.Ready.Message);
    }

    [Fact]
    public void Secret_headers_are_credentials_and_literal_headers_are_not()
    {
        const string secret = """
            apiVersion: v1
            kind: Secret
            metadata: {name: org, labels: {drover.dev/provider-credentials: "true"}}
            stringData: {id: org-1}
            """;
        const string provider = """
            apiVersion: drover.dev/v1alpha1
            kind: ModelProvider
            metadata: {name: p}
            spec:
              type: OpenAICompatible
              endpoint: "https://llm.example.com/v1"
              headers:
                - {name: X-Org, valueFrom: {secretKeyRef: {name: org, key: id}}}
                - {name: X-Team, value: blue}
            """;
        var resolved = Resolve(secret, provider);
        var rotated = Resolve(secret.Replace("org-1", "org-2"), provider);
        var missing = Resolve(provider);

        Assert.Equal(2, resolved.Headers.Count);
        Assert.Contains(resolved.Headers, h => h is { Name: "X-Org", Value: "org-1", FromSecret: true });
        Assert.NotNull(resolved.CredentialsHash);
        Assert.NotEqual(resolved.CredentialsHash, rotated.CredentialsHash);
        Assert.Equal(ModelProviderReasons.SecretNotFound, missing.Ready.Reason);
        Assert.Contains("spec.headers[0].valueFrom.secretKeyRef", missing.Ready.Message);
    }

    [Fact]
    public void Rotating_the_key_changes_the_credentials_hash()
    {
        var before = Resolve(Manifests.OpenAiProvider);
        var after = Resolve(Manifests.OpenAiProvider.Replace("sk-test-1", "sk-test-2"));
        var again = Resolve(Manifests.OpenAiProvider);

        Assert.NotEqual(before.CredentialsHash, after.CredentialsHash);
        Assert.Equal(before.CredentialsHash, again.CredentialsHash);
    }
}
