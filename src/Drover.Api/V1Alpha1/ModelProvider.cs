using Drover.Api.Schema;
using k8s;
using k8s.Models;

namespace Drover.Api.V1Alpha1;

/// <summary>
/// ModelProvider says where a model lives and how to authenticate against it.
/// Agents in the namespaces it allows refer to it by name; its API key never reaches any other namespace.
/// </summary>
public sealed class ModelProvider : IKubernetesObject<V1ObjectMeta>, ISpec<ModelProviderSpec>, IStatus<ModelProviderStatus?>
{
    /// <summary>The kind name.</summary>
    public const string KubeKind = "ModelProvider";

    /// <summary>The resource (plural) name.</summary>
    public const string KubePluralName = "modelproviders";

    /// <summary>APIVersion defines the versioned schema of this representation of an object.</summary>
    public string ApiVersion { get; set; } = DroverApi.ApiVersion;

    /// <summary>Kind is a string value representing the REST resource this object represents.</summary>
    public string Kind { get; set; } = KubeKind;

    /// <summary>Standard object metadata.</summary>
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>The desired provider.</summary>
    [Required]
    public ModelProviderSpec Spec { get; set; } = new();

    /// <summary>What the operator last observed.</summary>
    public ModelProviderStatus? Status { get; set; }
}

/// <summary>A list of ModelProviders.</summary>
public sealed class ModelProviderList : IKubernetesObject<V1ListMeta>, IItems<ModelProvider>
{
    /// <summary>APIVersion of the list.</summary>
    public string ApiVersion { get; set; } = DroverApi.ApiVersion;

    /// <summary>Kind of the list.</summary>
    public string Kind { get; set; } = KubeKindName;

    /// <summary>The kind name of the list.</summary>
    public const string KubeKindName = "ModelProviderList";

    /// <summary>List metadata (resourceVersion, continue).</summary>
    public V1ListMeta Metadata { get; set; } = new();

    /// <summary>The providers.</summary>
    public IList<ModelProvider> Items { get; set; } = [];
}

/// <summary>The desired state of a ModelProvider.</summary>
public sealed class ModelProviderSpec
{
    /// <summary>Which API the provider speaks; decides the default endpoint, whether a key is needed and which native environment variables agents receive.</summary>
    [Required]
    [Enum(ProviderTypes.OpenAI, ProviderTypes.Anthropic, ProviderTypes.Gemini, ProviderTypes.Groq, ProviderTypes.DeepSeek,
        ProviderTypes.OpenRouter, ProviderTypes.Mistral, ProviderTypes.Ollama, ProviderTypes.OpenAICompatible)]
    public string Type { get; set; } = "";

    /// <summary>Base URL of the API (http or https). Defaulted from the type for hosted providers; required for OpenAICompatible unless serviceRef is set. Mutually exclusive with serviceRef.</summary>
    [Pattern("^https?://[^\\s/?#]+[^\\s]*$")]
    public string? Endpoint { get; set; }

    /// <summary>An in-cluster Service serving the API (Ollama, vLLM, KubeAI), resolved to http://name.namespace.svc:port/path. Mutually exclusive with endpoint.</summary>
    public ServiceReference? ServiceRef { get; set; }

    /// <summary>Where the API key lives. Required unless the type needs no key (Ollama, OpenAICompatible).</summary>
    public ApiKeySource? ApiKey { get; set; }

    /// <summary>Extra HTTP headers sent with every request, each with a literal value or a value from a Secret.</summary>
    [ListMap("name")]
    public List<ProviderHeader>? Headers { get; set; }

    /// <summary>The models agents may use through this provider. Empty means any model.</summary>
    [ListSet]
    public List<string>? Models { get; set; }

    /// <summary>The model an agent gets when it names none. Must be in models when models is not empty.</summary>
    public string? DefaultModel { get; set; }

    /// <summary>Rate limits shared by every agent using this provider, enforced by the model gateway.</summary>
    public ProviderLimits? Limits { get; set; }

    /// <summary>US dollars per million tokens, per model: what usage costs toward the agents' costPerDay budgets.</summary>
    [ListMap("model")]
    public List<ModelPricing>? Pricing { get; set; }

    /// <summary>Which namespaces may reference this provider. Defaults to the provider's own namespace.</summary>
    public AllowedNamespaces? AllowedNamespaces { get; set; }
}

/// <summary>An in-cluster Service that serves a model API.</summary>
public sealed class ServiceReference
{
    /// <summary>Name of the Service.</summary>
    [Required]
    [MinLength(1)]
    public string Name { get; set; } = "";

    /// <summary>Namespace of the Service. Defaults to the ModelProvider's namespace.</summary>
    public string? Namespace { get; set; }

    /// <summary>Service port.</summary>
    [Required]
    [Minimum(1)]
    [Maximum(65535)]
    public int Port { get; set; }

    /// <summary>Path prefix of the API on that port, for example /v1.</summary>
    [Pattern("^/")]
    public string? Path { get; set; }
}

/// <summary>Where a provider's API key is read from.</summary>
public sealed class ApiKeySource
{
    /// <summary>The Secret key holding the API key.</summary>
    [Required]
    public SecretKeyReference? SecretKeyRef { get; set; }
}

/// <summary>One HTTP header sent to the provider. Exactly one of value and valueFrom is set.</summary>
public sealed class ProviderHeader
{
    /// <summary>Header name.</summary>
    [Required]
    [Pattern("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")]
    public string Name { get; set; } = "";

    /// <summary>A literal value. Use valueFrom for anything secret.</summary>
    public string? Value { get; set; }

    /// <summary>A value read from a Secret.</summary>
    public SecretValueSource? ValueFrom { get; set; }
}

/// <summary>
/// Rate limits for a provider, shared by every caller of it through the model gateway. A request over them waits a
/// short while for room, then goes to the next model of the agent's chain.
/// </summary>
public sealed class ProviderLimits
{
    /// <summary>Requests per minute all agents together may send.</summary>
    [Minimum(1)]
    public int? RequestsPerMinute { get; set; }

    /// <summary>Tokens (input plus output) per minute all agents together may use.</summary>
    [Minimum(1)]
    public long? TokensPerMinute { get; set; }

    /// <summary>Requests all agents together may have in flight at once.</summary>
    [Minimum(1)]
    public int? MaxConcurrentRequests { get; set; }
}

/// <summary>The price of one model, in US dollars per million tokens.</summary>
public sealed class ModelPricing
{
    /// <summary>The model name, as agents name it in spec.model.</summary>
    [Required]
    [MinLength(1)]
    public string Model { get; set; } = "";

    /// <summary>Dollars per million input tokens that were not served from the prompt cache.</summary>
    [Minimum(0)]
    [Maximum(ModelPricing.MaxPrice)]
    public decimal? InputPerMillion { get; set; }

    /// <summary>Dollars per million output tokens (reasoning included).</summary>
    [Minimum(0)]
    [Maximum(ModelPricing.MaxPrice)]
    public decimal? OutputPerMillion { get; set; }

    /// <summary>Dollars per million input tokens served from the prompt cache. Defaults to inputPerMillion.</summary>
    [Minimum(0)]
    [Maximum(ModelPricing.MaxPrice)]
    public decimal? CachedInputPerMillion { get; set; }

    /// <summary>The largest price the API accepts, in dollars per million tokens.</summary>
    public const long MaxPrice = 1_000_000;
}

/// <summary>Which namespaces may reference a provider.</summary>
public sealed class AllowedNamespaces
{
    /// <summary>Same: only this namespace; All: every namespace; Selector: namespaces matching selector.</summary>
    [Enum(NamespacesFrom.Same, NamespacesFrom.All, NamespacesFrom.Selector)]
    [Default(NamespacesFrom.Same)]
    public string? From { get; set; }

    /// <summary>Labels a namespace must carry when from is Selector.</summary>
    public V1LabelSelector? Selector { get; set; }
}

/// <summary>The observed state of a ModelProvider.</summary>
public sealed class ModelProviderStatus
{
    /// <summary>The generation the operator last acted on.</summary>
    public long? ObservedGeneration { get; set; }

    /// <summary>Latest observations of the provider: Ready and CredentialsResolved.</summary>
    [ListMap("type")]
    public List<V1Condition>? Conditions { get; set; }

    /// <summary>The resolved base URL agents are given.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Short SHA-256 of the resolved secret material (never the material), so changes are visible.</summary>
    public string? CredentialsHash { get; set; }
}
