using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Drover.Operator.Children;
using Drover.Operator.ModelProviders;
using Drover.Operator.Resolution;

namespace Drover.Operator.Agents;

/// <summary>
/// The resolved configuration an agent receives: <c>agent.json</c> (agent, model chain with endpoints,
/// instructions, limits, budget, config) and the secret values it points to, each a key of the agent's Secret and
/// so a file next to <c>agent.json</c>. <see cref="Hash"/> covers both (the secret values through a keyed
/// <see cref="SecretDigest"/>), so a rotated key rolls the agent.
/// </summary>
internal sealed class AgentConfiguration
{
    /// <summary>Where the agent's Secret is mounted.</summary>
    public const string Directory = "/etc/drover";

    /// <summary>The key (and file name) of the configuration document.</summary>
    public const string DocumentKey = "agent.json";

    /// <summary>Where an agent with storage finds its workspace.</summary>
    public const string WorkspacePath = "/workspace";

    private AgentConfiguration(string document, SortedDictionary<string, string> secretValues, string hash)
    {
        Document = document;
        SecretValues = secretValues;
        Hash = hash;
    }

    /// <summary>agent.json: canonical JSON (sorted keys), so the same configuration is always the same bytes.</summary>
    public string Document { get; }

    /// <summary>Secret values by Secret key: API keys and secret header values, never inside agent.json.</summary>
    public IReadOnlyDictionary<string, string> SecretValues { get; }

    /// <summary>Short hash of agent.json and of every secret value; the pod template's drover.dev/config-hash.</summary>
    public string Hash { get; }

    /// <summary>The Secret key holding <paramref name="provider"/>'s API key.</summary>
    public static string ApiKeyKey(ResolvedProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return $"api-key.{provider.Namespace}.{provider.Name}";
    }

    /// <summary>The Secret key holding a secret header value of <paramref name="provider"/>.</summary>
    public static string HeaderKey(ResolvedProvider provider, string headerName)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(headerName);
        // Secret keys allow only [-._a-zA-Z0-9]; header names may hold other token characters.
        var safe = new string([.. headerName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '_')]);
        return $"header.{provider.Namespace}.{provider.Name}.{safe}";
    }

    /// <summary>Where a pod finds the gateway key it authenticates with (its own: the agent's, or its Schedule's).</summary>
    public const string GatewayKeyDirectory = "/var/run/drover/gateway";

    /// <summary>The gateway key file inside <see cref="GatewayKeyDirectory"/>.</summary>
    public const string GatewayKeyFile = GatewayKeyDirectory + "/" + Gateway.GatewayKey.TokenKey;

    internal static AgentConfiguration For(AgentPlan plan, SecretDigest digest)
    {
        var secrets = new SortedDictionary<string, string>(StringComparer.Ordinal);

        // Through the gateway the agent holds no provider key or secret header: the gateway injects them upstream.
        foreach (var provider in plan.UsesGateway ? [] : plan.Chain.Providers)
        {
            if (provider.ApiKey is { } key)
            {
                secrets[ApiKeyKey(provider)] = key;
            }

            foreach (var header in provider.Headers.Where(h => h.FromSecret))
            {
                secrets[HeaderKey(provider, header.Name)] = header.Value;
            }
        }

        var document = BuildDocument(plan);
        var text = Encoding.UTF8.GetString(ContentHash.Canonical(document, indented: true)) + "\n";
        var hashed = new StringBuilder(text);
        foreach (var (key, value) in secrets)
        {
            // Only a keyed digest of each value enters the hashed text, so the material is never held in a longer-lived
            // string, and the config hash anyone may read confirms nothing about a key.
            hashed.Append('\n').Append(key).Append('=').Append(digest.Of(value));
        }

        // A pod reads its gateway key once at start, so a new key must roll the agent as a new provider key does.
        if (plan.GatewayKey is { } gatewayKey)
        {
            hashed.Append("\ngateway-key=").Append(digest.Of(gatewayKey.Token));
        }

        return new AgentConfiguration(text, secrets, ContentHash.Of(hashed.ToString()));
    }

    private static JsonObject BuildDocument(AgentPlan plan)
    {
        var spec = plan.Spec;
        var model = new JsonObject
        {
            ["primary"] = Model(plan, plan.Chain.Primary),
            ["fallbacks"] = new JsonArray([.. plan.Chain.Fallbacks.Select(f => (JsonNode)Model(plan, f))]),
        };
        if (plan.Chain.Parameters is { } parameters)
        {
            var p = new JsonObject();
            SetIfPresent(p, "temperature", parameters.Temperature);
            SetIfPresent(p, "topP", parameters.TopP);
            SetIfPresent(p, "maxTokens", parameters.MaxTokens);
            model["parameters"] = p;
        }

        var document = new JsonObject
        {
            ["agent"] = new JsonObject { ["name"] = plan.Name, ["namespace"] = plan.Namespace },
            ["model"] = model,
        };
        if (plan.Gateway is { } gateway)
        {
            // Every link is reached through the gateway, which holds the keys, applies limits and falls back on its own.
            document["gateway"] = new JsonObject
            {
                ["baseUrl"] = gateway.OpenAIBaseUrl,
                ["anthropicBaseUrl"] = gateway.AnthropicBaseUrl,
                ["apiKeyFile"] = GatewayKeyFile,
            };
        }
        if (plan.Instructions is { } instructions)
        {
            document["instructions"] = instructions;
        }

        if (spec.Budget?.TokensPerDay is { } tokensPerDay)
        {
            document["budget"] = new JsonObject { ["tokensPerDay"] = tokensPerDay };
        }

        if (plan.HasStorage)
        {
            document["workspace"] = WorkspacePath;
        }

        document["config"] = spec.Config?.DeepClone() ?? new JsonObject();
        return document;
    }

    private static JsonObject Model(AgentPlan plan, ChainedModel model)
    {
        var provider = model.Provider;
        if (plan.Gateway is { } gateway)
        {
            // The gateway speaks each link's API: Anthropic Messages to Anthropic providers, OpenAI's to every other.
            return new JsonObject
            {
                ["provider"] = new JsonObject { ["name"] = provider.Name, ["namespace"] = provider.Namespace, ["type"] = provider.Type },
                ["model"] = model.Model,
                ["endpoint"] = provider.Type == Api.V1Alpha1.ProviderTypes.Anthropic ? gateway.AnthropicBaseUrl : gateway.OpenAIBaseUrl,
                ["apiKeyFile"] = GatewayKeyFile,
            };
        }

        var entry = new JsonObject
        {
            ["provider"] = new JsonObject
            {
                ["name"] = provider.Name,
                ["namespace"] = provider.Namespace,
                ["type"] = provider.Type,
            },
            ["model"] = model.Model,
            ["endpoint"] = model.Endpoint,
        };
        if (provider.ApiKey is not null)
        {
            entry["apiKeyFile"] = $"{Directory}/{ApiKeyKey(provider)}";
        }

        if (provider.Headers.Count > 0)
        {
            entry["headers"] = new JsonArray([.. provider.Headers.Select(h => (JsonNode)(h.FromSecret
                ? new JsonObject { ["name"] = h.Name, ["valueFile"] = $"{Directory}/{HeaderKey(provider, h.Name)}" }
                : new JsonObject { ["name"] = h.Name, ["value"] = h.Value }))]);
        }

        if (provider.Provider.Spec.Limits is { } limits)
        {
            var l = new JsonObject();
            SetIfPresent(l, "requestsPerMinute", limits.RequestsPerMinute);
            SetIfPresent(l, "tokensPerMinute", limits.TokensPerMinute);
            SetIfPresent(l, "maxConcurrentRequests", limits.MaxConcurrentRequests);
            entry["limits"] = l;
        }

        return entry;
    }

    private static void SetIfPresent(JsonObject target, string name, double? value)
    {
        if (value is { } v)
        {
            // Decimal keeps 0.2 as 0.2 in the canonical text rather than a binary expansion.
            target[name] = decimal.Parse(v.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
        }
    }

    private static void SetIfPresent(JsonObject target, string name, long? value)
    {
        if (value is { } v)
        {
            target[name] = v;
        }
    }
}
