using Drover.Api.V1Alpha1;
using Drover.Api.Validation;
using k8s.Models;

namespace Drover.Api.Tests.Validation;

public class ModelProviderValidatorTests
{
    private static ModelProvider Provider(string type = ProviderTypes.OpenAI) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "default" },
        Spec = new ModelProviderSpec
        {
            Type = type,
            ApiKey = new ApiKeySource { SecretKeyRef = new SecretKeyReference { Name = "key", Key = "api-key" } },
        },
    };

    private static void AssertOnlyError(ModelProvider provider, string field, string? messagePart = null)
    {
        var errors = ModelProviderValidator.Validate(provider);
        var error = Assert.Single(errors);
        Assert.Equal(field, error.Field);
        if (messagePart is not null)
        {
            Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        }
    }

    private static void AssertValid(ModelProvider provider) =>
        Assert.Empty(ModelProviderValidator.Validate(provider));

    [Theory]
    [InlineData(ProviderTypes.OpenAI)]
    [InlineData(ProviderTypes.Anthropic)]
    [InlineData(ProviderTypes.Gemini)]
    [InlineData(ProviderTypes.Groq)]
    [InlineData(ProviderTypes.DeepSeek)]
    [InlineData(ProviderTypes.OpenRouter)]
    [InlineData(ProviderTypes.Mistral)]
    public void A_hosted_provider_with_a_key_is_valid_without_an_endpoint(string type) => AssertValid(Provider(type));

    [Fact]
    public void Unknown_type_is_rejected_with_the_accepted_values() =>
        AssertOnlyError(Provider("OpenAl"), "spec.type", "OpenAICompatible");

    [Fact]
    public void Missing_type_is_rejected() => AssertOnlyError(Provider(""), "spec.type", "required");

    [Fact]
    public void Hosted_provider_without_an_api_key_is_rejected()
    {
        var provider = Provider(ProviderTypes.Anthropic);
        provider.Spec.ApiKey = null;
        AssertOnlyError(provider, "spec.apiKey", "secretKeyRef");
    }

    [Fact]
    public void Api_key_without_a_secret_key_name_is_rejected()
    {
        var provider = Provider();
        provider.Spec.ApiKey!.SecretKeyRef!.Key = "";
        AssertOnlyError(provider, "spec.apiKey.secretKeyRef.key");
    }

    [Fact]
    public void Api_key_without_secretKeyRef_is_rejected()
    {
        var provider = Provider();
        provider.Spec.ApiKey = new ApiKeySource();
        AssertOnlyError(provider, "spec.apiKey.secretKeyRef");
    }

    [Fact]
    public void Ollama_needs_no_key_but_a_service_or_endpoint()
    {
        var provider = Provider(ProviderTypes.Ollama);
        provider.Spec.ApiKey = null;
        AssertOnlyError(provider, "spec.endpoint", "serviceRef");

        provider.Spec.ServiceRef = new ServiceReference { Name = "ollama", Port = 11434 };
        AssertValid(provider);
    }

    [Fact]
    public void OpenAICompatible_needs_an_endpoint_or_a_service()
    {
        var provider = Provider(ProviderTypes.OpenAICompatible);
        AssertOnlyError(provider, "spec.endpoint", "OpenAICompatible");

        provider.Spec.Endpoint = "http://vllm.models.svc:8000/v1";
        AssertValid(provider);
    }

    [Fact]
    public void OpenAICompatible_may_run_without_a_key()
    {
        var provider = Provider(ProviderTypes.OpenAICompatible);
        provider.Spec.ApiKey = null;
        provider.Spec.ServiceRef = new ServiceReference { Name = "vllm", Port = 8000, Path = "/v1" };
        AssertValid(provider);
    }

    [Fact]
    public void Endpoint_and_serviceRef_together_are_rejected()
    {
        var provider = Provider(ProviderTypes.OpenAICompatible);
        provider.Spec.Endpoint = "https://llm.example.com/v1";
        provider.Spec.ServiceRef = new ServiceReference { Name = "vllm", Port = 8000 };
        AssertOnlyError(provider, "spec.serviceRef", "not both");
    }

    [Theory]
    [InlineData("api.openai.com/v1")]
    [InlineData("ftp://llm.example.com")]
    [InlineData("https://llm.example.com/v1?key=1")]
    [InlineData("not a url")]
    public void Endpoint_must_be_an_absolute_http_url(string endpoint)
    {
        var provider = Provider();
        provider.Spec.Endpoint = endpoint;
        AssertOnlyError(provider, "spec.endpoint", "http");
    }

    [Theory]
    [InlineData("https://llm.example.com/v1")]
    [InlineData("http://10.0.0.5:8080")]
    public void Http_and_https_endpoints_are_accepted(string endpoint)
    {
        var provider = Provider();
        provider.Spec.Endpoint = endpoint;
        AssertValid(provider);
    }

    [Theory]
    [InlineData("Ollama", 11434, null, "spec.serviceRef.name")]
    [InlineData("ollama", 0, null, "spec.serviceRef.port")]
    [InlineData("ollama", 70000, null, "spec.serviceRef.port")]
    [InlineData("ollama", 11434, "v1", "spec.serviceRef.path")]
    public void ServiceRef_fields_are_checked(string name, int port, string? path, string field)
    {
        var provider = Provider(ProviderTypes.Ollama);
        provider.Spec.ServiceRef = new ServiceReference { Name = name, Port = port, Path = path };
        AssertOnlyError(provider, field);
    }

    [Fact]
    public void ServiceRef_namespace_must_be_a_namespace_name()
    {
        var provider = Provider(ProviderTypes.Ollama);
        provider.Spec.ServiceRef = new ServiceReference { Name = "ollama", Namespace = "Models_", Port = 11434 };
        AssertOnlyError(provider, "spec.serviceRef.namespace");
    }

    [Fact]
    public void Header_needs_exactly_one_of_value_and_valueFrom()
    {
        var provider = Provider();
        provider.Spec.Headers = [new ProviderHeader { Name = "X-Org" }];
        AssertOnlyError(provider, "spec.headers[0]", "exactly one");

        provider.Spec.Headers[0].Value = "acme";
        provider.Spec.Headers[0].ValueFrom = new SecretValueSource { SecretKeyRef = new SecretKeyReference { Name = "s", Key = "k" } };
        AssertOnlyError(provider, "spec.headers[0]", "exactly one");

        provider.Spec.Headers[0].Value = null;
        AssertValid(provider);
    }

    [Fact]
    public void Header_valueFrom_needs_a_complete_secret_reference()
    {
        var provider = Provider();
        provider.Spec.Headers = [new ProviderHeader { Name = "X-Key", ValueFrom = new SecretValueSource { SecretKeyRef = new SecretKeyReference { Name = "s" } } }];
        AssertOnlyError(provider, "spec.headers[0].valueFrom.secretKeyRef.key");
    }

    [Theory]
    [InlineData("X Org")]
    [InlineData("")]
    [InlineData("X-Ünicode")]
    public void Header_name_must_be_an_http_token(string name)
    {
        var provider = Provider();
        provider.Spec.Headers = [new ProviderHeader { Name = name, Value = "v" }];
        AssertOnlyError(provider, "spec.headers[0].name");
    }

    [Fact]
    public void Duplicate_headers_are_rejected_case_insensitively()
    {
        var provider = Provider();
        provider.Spec.Headers = [new ProviderHeader { Name = "X-Org", Value = "a" }, new ProviderHeader { Name = "x-org", Value = "b" }];
        AssertOnlyError(provider, "spec.headers[1].name", "twice");
    }

    [Fact]
    public void DefaultModel_must_be_in_a_non_empty_allow_list()
    {
        var provider = Provider();
        provider.Spec.Models = ["gpt-4o-mini", "gpt-4o"];
        provider.Spec.DefaultModel = "gpt-5";
        AssertOnlyError(provider, "spec.defaultModel", "gpt-4o-mini, gpt-4o");

        provider.Spec.DefaultModel = "gpt-4o";
        AssertValid(provider);
    }

    [Fact]
    public void DefaultModel_is_free_when_any_model_is_allowed()
    {
        var provider = Provider();
        provider.Spec.DefaultModel = "anything";
        AssertValid(provider);
    }

    [Fact]
    public void Models_must_be_unique_and_non_empty()
    {
        var provider = Provider();
        provider.Spec.Models = ["a", "a"];
        AssertOnlyError(provider, "spec.models[1]", "twice");
        provider.Spec.Models = ["a", " "];
        AssertOnlyError(provider, "spec.models[1]", "empty");
    }

    [Fact]
    public void Limits_must_be_positive()
    {
        var provider = Provider();
        provider.Spec.Limits = new ProviderLimits { RequestsPerMinute = 0 };
        AssertOnlyError(provider, "spec.limits.requestsPerMinute");
        provider.Spec.Limits = new ProviderLimits { TokensPerMinute = -1 };
        AssertOnlyError(provider, "spec.limits.tokensPerMinute");
        provider.Spec.Limits = new ProviderLimits { MaxConcurrentRequests = 0 };
        AssertOnlyError(provider, "spec.limits.maxConcurrentRequests");
        provider.Spec.Limits = new ProviderLimits { RequestsPerMinute = 1, TokensPerMinute = 1, MaxConcurrentRequests = 1 };
        AssertValid(provider);
    }

    [Fact]
    public void Selector_only_with_from_Selector()
    {
        var provider = Provider();
        provider.Spec.AllowedNamespaces = new AllowedNamespaces { From = NamespacesFrom.All, Selector = new V1LabelSelector() };
        AssertOnlyError(provider, "spec.allowedNamespaces.selector", "from is All");

        provider.Spec.AllowedNamespaces = new AllowedNamespaces { From = NamespacesFrom.Selector };
        AssertOnlyError(provider, "spec.allowedNamespaces.selector", "needs a selector");

        provider.Spec.AllowedNamespaces.Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["team"] = "ai" } };
        AssertValid(provider);
    }

    [Fact]
    public void Unknown_allowedNamespaces_from_is_rejected()
    {
        var provider = Provider();
        provider.Spec.AllowedNamespaces = new AllowedNamespaces { From = "Everyone" };
        AssertOnlyError(provider, "spec.allowedNamespaces.from", "Same, All, Selector");
    }

    [Fact]
    public void Pricing_is_per_model_once_with_prices_in_range()
    {
        var provider = Provider();
        provider.Spec.Pricing = [new ModelPricing { Model = "gpt-4o-mini", InputPerMillion = 0.15m, OutputPerMillion = 0.60m, CachedInputPerMillion = 0.075m }];
        AssertValid(provider);
        provider.Spec.Pricing.Add(new ModelPricing { Model = "gpt-4o-mini", InputPerMillion = 1m });
        AssertOnlyError(provider, "spec.pricing[1].model", "priced twice");
        provider.Spec.Pricing[1] = new ModelPricing { Model = "o3" };
        AssertOnlyError(provider, "spec.pricing[1]", "inputPerMillion, outputPerMillion");
        provider.Spec.Pricing[1] = new ModelPricing { Model = "o3", OutputPerMillion = -2m };
        AssertOnlyError(provider, "spec.pricing[1].outputPerMillion", "between 0 and");
        provider.Spec.Pricing[1] = new ModelPricing { Model = "", InputPerMillion = 2m };
        AssertOnlyError(provider, "spec.pricing[1].model", "name the model");
    }
}
