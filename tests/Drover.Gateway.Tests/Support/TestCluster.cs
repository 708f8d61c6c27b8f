using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Drover.Api;
using Drover.Api.V1Alpha1;
using Drover.Gateway.Configuration;
using k8s.Models;

namespace Drover.Gateway.Tests.Support;

/// <summary>The cluster as plain objects, for tests of the request path without an API server.</summary>
internal sealed class TestCluster : IClusterView
{
    private readonly ConcurrentDictionary<(string, string), Agent> _agents = new();
    private readonly ConcurrentDictionary<(string, string), Schedule> _schedules = new();
    private readonly ConcurrentDictionary<(string, string), ModelProvider> _providers = new();
    private readonly ConcurrentDictionary<(string, string), V1Secret> _secrets = new();
    private readonly ConcurrentDictionary<string, Dictionary<string, string>> _namespaces = new(StringComparer.Ordinal);

    public GatewayKeys Keys { get; } = new();

    public Agent? Agent(string ns, string name) => _agents.GetValueOrDefault((ns, name));

    public Schedule? Schedule(string ns, string name) => _schedules.GetValueOrDefault((ns, name));

    public ModelProvider? Provider(string ns, string name) => _providers.GetValueOrDefault((ns, name));

    public V1Secret? CredentialSecret(string ns, string name) =>
        _secrets.TryGetValue((ns, name), out var secret) && GatewayLabels.Has(secret.Metadata.Labels, GatewayLabels.ProviderCredentials) ? secret : null;

    public IReadOnlyDictionary<string, string>? NamespaceLabels(string ns) => _namespaces.GetValueOrDefault(ns);

    public void Namespace(string name, Dictionary<string, string>? labels = null) => _namespaces[name] = labels ?? [];

    /// <summary>A provider with its key in a labelled credentials Secret.</summary>
    public ModelProvider Provider(string name, string type, Uri endpoint, string? apiKey, string ns = "team-a", Action<ModelProviderSpec>? configure = null)
    {
        var provider = new ModelProvider
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Uid = Guid.NewGuid().ToString(), CreationTimestamp = new DateTime(2026, 1, 2, 0, 0, 0, DateTimeKind.Utc) },
            Spec = new ModelProviderSpec { Type = type, Endpoint = endpoint.ToString().TrimEnd('/') },
        };
        if (apiKey is not null)
        {
            provider.Spec.ApiKey = new ApiKeySource { SecretKeyRef = new SecretKeyReference { Name = name + "-credentials", Key = "api-key" } };
            Credentials(ns, name + "-credentials", "api-key", apiKey);
        }

        configure?.Invoke(provider.Spec);
        _providers[(ns, name)] = provider;
        return provider;
    }

    public void Credentials(string ns, string name, string key, string value, bool labelled = true) =>
        _secrets[(ns, name)] = new V1Secret
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = ns,
                Labels = labelled ? new Dictionary<string, string> { [GatewayLabels.ProviderCredentials] = "true" } : null,
            },
            Data = new Dictionary<string, byte[]> { [key] = Encoding.UTF8.GetBytes(value) },
        };

    /// <summary>An agent whose chain is <paramref name="chain"/> (provider name, model) in order.</summary>
    public Agent Agent(string name, (string Provider, string? Model)[] chain, Budget? budget = null, string ns = "team-a")
    {
        var agent = new Agent
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Uid = Guid.NewGuid().ToString() },
            Spec = new AgentSpec
            {
                Image = "ghcr.io/example/agent:1",
                Model = new AgentModel
                {
                    ProviderRef = new ProviderReference { Name = chain[0].Provider },
                    Name = chain[0].Model,
                    Access = ModelAccessModes.Gateway,
                    Fallbacks = [.. chain.Skip(1).Select(l => new ModelFallback { ProviderRef = new ProviderReference { Name = l.Provider }, Name = l.Model })],
                },
                Budget = budget,
            },
        };
        _agents[(ns, name)] = agent;
        return agent;
    }

    public Schedule Schedule(string name, string agent, Budget? budget = null, string ns = "team-a")
    {
        var schedule = new Schedule
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Uid = Guid.NewGuid().ToString() },
            Spec = new ScheduleSpec { AgentRef = new AgentReference { Name = agent }, Schedule = "@daily", Prompt = "Go.", Budget = budget },
        };
        _schedules[(ns, name)] = schedule;
        return schedule;
    }

    public void Remove(Agent agent) => _agents.TryRemove((agent.Metadata.NamespaceProperty, agent.Metadata.Name), out _);

    /// <summary>Issues a gateway key to an Agent or Schedule as the operator will: a labelled Secret it controls; returns the token.</summary>
    public string KeyFor(k8s.IKubernetesObject<V1ObjectMeta> owner)
    {
        var token = GatewayLabels.TokenPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var secret = KeySecret(owner, token);
        Keys.Put(secret);
        return token;
    }

    public static V1Secret KeySecret(k8s.IKubernetesObject<V1ObjectMeta> owner, string token) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = GatewayLabels.KeySecretName(owner.Metadata.Name),
            NamespaceProperty = owner.Metadata.NamespaceProperty,
            Labels = new Dictionary<string, string> { [GatewayLabels.GatewayKey] = "true", ["app.kubernetes.io/managed-by"] = "drover" },
            OwnerReferences = [new V1OwnerReference { ApiVersion = DroverApi.ApiVersion, Kind = owner.Kind, Name = owner.Metadata.Name, Uid = owner.Metadata.Uid, Controller = true }],
        },
        Data = new Dictionary<string, byte[]> { [GatewayLabels.TokenKey] = Encoding.UTF8.GetBytes(token) },
    };
}
