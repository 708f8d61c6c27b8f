using Drover.Api.V1Alpha1;
using k8s.Models;

namespace Drover.Operator.Agents;

/// <summary>
/// The environment of the runtime contract: DROVER_* variables, the provider's native names so off-the-shelf
/// runtimes work unchanged, optional OTEL_* variables, then the user's own. Keys are always secretKeyRefs to the
/// agent's Secret, never values in the pod spec.
/// </summary>
internal static class RuntimeEnvironment
{
    /// <summary>
    /// The container env: the operator's variables sorted by name (stable output, so a steady state writes
    /// nothing), then the user's in their order so their $(VAR) references still see what came before.
    /// </summary>
    /// <param name="plan">The resolved agent.</param>
    /// <param name="options">Operator options (the agents' OTLP endpoint).</param>
    /// <param name="extra">More operator variables, for example a Schedule's DROVER_PROMPT.</param>
    /// <param name="gatewayKeySecret">In Gateway mode, the Secret holding this pod's gateway key (the agent's or its Schedule's).</param>
    public static List<V1EnvVar> For(AgentPlan plan, OperatorOptions options, IEnumerable<V1EnvVar>? extra = null, string? gatewayKeySecret = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        var primary = plan.Chain.Primary;
        var vars = new SortedDictionary<string, V1EnvVar>(StringComparer.Ordinal);
        void Set(V1EnvVar variable) => vars.TryAdd(variable.Name, variable);

        Set(Value("DROVER_AGENT", plan.Name));

        // The root filesystem is read-only; tools that write under ~ (caches, credentials, history) need a writable home.
        Set(Value("HOME", PodHardening.TmpPath));
        Set(Value("DROVER_NAMESPACE", plan.Namespace));
        Set(Value("DROVER_CONFIG", $"{AgentConfiguration.Directory}/{AgentConfiguration.DocumentKey}"));
        Set(Value("DROVER_MODEL", primary.Model));
        Set(Value("DROVER_PROVIDER_TYPE", primary.ProviderType));
        if (plan.Gateway is { } gateway)
        {
            foreach (var variable in GatewayNames(plan, gateway, gatewayKeySecret ?? Gateway.GatewayKey.SecretName(plan.Name)))
            {
                Set(variable);
            }
        }
        else
        {
            Set(Value("DROVER_BASE_URL", primary.Endpoint));
            if (primary.Provider.ApiKey is not null)
            {
                Set(SecretKey("DROVER_API_KEY", plan, AgentConfiguration.ApiKeyKey(primary.Provider)));
            }

            // The primary's native names win; fallbacks of other types add theirs so a runtime can reach them too.
            foreach (var model in plan.Chain.All)
            {
                foreach (var variable in NativeNames(plan, model))
                {
                    Set(variable);
                }
            }
        }

        if (!string.IsNullOrEmpty(options.AgentOtlpEndpoint))
        {
            Set(Value("OTEL_EXPORTER_OTLP_ENDPOINT", options.AgentOtlpEndpoint));
            Set(Value("OTEL_SERVICE_NAME", plan.Name));
            Set(Value(
                "OTEL_RESOURCE_ATTRIBUTES",
                $"k8s.namespace.name={plan.Namespace},drover.agent={plan.Name},drover.model={primary.Model},drover.provider={primary.Provider.Name}"));
        }

        foreach (var variable in extra ?? [])
        {
            vars[variable.Name] = variable;
        }

        var user = plan.Spec.Env ?? [];
        var userNames = user.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        return [.. vars.Values.Where(v => !userNames.Contains(v.Name)), .. user];
    }

    /// <summary>
    /// Through the gateway every variable a runtime reads its key from holds the pod's gateway key, and the base URLs
    /// point at the gateway: OpenAI clients at its <c>/v1</c> (it reaches every provider type that way), Anthropic
    /// clients at its root. No provider key or endpoint reaches the pod.
    /// </summary>
    private static IEnumerable<V1EnvVar> GatewayNames(AgentPlan plan, Gateway.GatewayEndpoint gateway, string keySecret)
    {
        V1EnvVar Key(string name) => new()
        {
            Name = name,
            ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = keySecret, Key = Gateway.GatewayKey.TokenKey } },
        };

        yield return Value("DROVER_BASE_URL", plan.Chain.Primary.ProviderType == ProviderTypes.Anthropic ? gateway.AnthropicBaseUrl : gateway.OpenAIBaseUrl);
        yield return Value("DROVER_GATEWAY_URL", gateway.OpenAIBaseUrl);
        yield return Key("DROVER_API_KEY");
        yield return Value("OPENAI_BASE_URL", gateway.OpenAIBaseUrl);
        yield return Key("OPENAI_API_KEY");
        foreach (var type in plan.Chain.All.Select(m => m.ProviderType).Distinct())
        {
            if (type == ProviderTypes.Anthropic)
            {
                yield return Value("ANTHROPIC_BASE_URL", gateway.AnthropicBaseUrl);
            }

            if (KeyVariable(type) is { } name)
            {
                yield return Key(name);
            }
        }
    }

    private static string? KeyVariable(string providerType) => providerType switch
    {
        ProviderTypes.OpenAI or ProviderTypes.OpenAICompatible => "OPENAI_API_KEY",
        ProviderTypes.Anthropic => "ANTHROPIC_API_KEY",
        ProviderTypes.Gemini => "GEMINI_API_KEY",
        ProviderTypes.Groq => "GROQ_API_KEY",
        ProviderTypes.DeepSeek => "DEEPSEEK_API_KEY",
        ProviderTypes.OpenRouter => "OPENROUTER_API_KEY",
        ProviderTypes.Mistral => "MISTRAL_API_KEY",
        _ => null,
    };

    private static IEnumerable<V1EnvVar> NativeNames(AgentPlan plan, ChainedModel model)
    {
        var provider = model.Provider;
        var keyName = KeyVariable(provider.Type);
        if (keyName is not null && provider.ApiKey is not null)
        {
            yield return SecretKey(keyName, plan, AgentConfiguration.ApiKeyKey(provider));
        }

        switch (provider.Type)
        {
            case ProviderTypes.OpenAI or ProviderTypes.OpenAICompatible:
                yield return Value("OPENAI_BASE_URL", model.Endpoint);
                break;
            case ProviderTypes.Anthropic:
                yield return Value("ANTHROPIC_BASE_URL", model.Endpoint);
                break;
            case ProviderTypes.Ollama:
                yield return Value("OLLAMA_HOST", OllamaHost(model.Endpoint));
                break;
        }
    }

    // Ollama clients want scheme://host:port; a path (a proxy prefix) would be appended to every API route anyway.
    private static string OllamaHost(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : endpoint;

    internal static V1EnvVar Value(string name, string value) => new() { Name = name, Value = value };

    private static V1EnvVar SecretKey(string name, AgentPlan plan, string key) => new()
    {
        Name = name,
        ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = plan.SecretName, Key = key } },
    };
}
