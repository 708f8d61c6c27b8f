using System.Text;
using Drover.Api.Access;
using Drover.Api.V1Alpha1;
using k8s.Models;

namespace Drover.Gateway.Configuration;

/// <summary>
/// Answers the gateway's questions about identity and routing from the cluster view: whose key is this, which models
/// may it use, and how is each reached. Every answer is computed from the current objects, so a revoked key, a
/// deleted provider or a rotated credential takes effect on the next request.
/// </summary>
internal sealed class GatewayDirectory(IClusterView view)
{
    public IClusterView View => view;

    /// <summary>The caller a token belongs to, when the token is a key in force and its owner is the live object that holds it.</summary>
    public Caller? Authenticate(string token)
    {
        if (!token.StartsWith(GatewayLabels.TokenPrefix, StringComparison.Ordinal) || view.Keys.Find(token) is not { } owner)
        {
            return null;
        }

        if (owner.Kind == Agent.KubeKind)
        {
            var agent = view.Agent(owner.Namespace, owner.Name);
            return agent is not null && agent.Metadata.Uid == owner.Uid ? new Caller(owner.Namespace, agent, null) : null;
        }

        var schedule = view.Schedule(owner.Namespace, owner.Name);
        if (schedule is null || schedule.Metadata.Uid != owner.Uid)
        {
            return null;
        }

        var scheduleAgent = view.Agent(owner.Namespace, schedule.Spec.AgentRef.Name);
        return scheduleAgent is null ? null : new Caller(owner.Namespace, scheduleAgent, schedule);
    }

    /// <summary>The agent's chain in order: the primary model, then its fallbacks.</summary>
    public static IReadOnlyList<ChainLink> Chain(Caller caller)
    {
        var model = caller.Agent.Spec.Model;
        var links = new List<ChainLink>(1 + (model.Fallbacks?.Count ?? 0)) { Link(caller.Namespace, model.ProviderRef, model.Name) };
        foreach (var fallback in model.Fallbacks ?? [])
        {
            links.Add(Link(caller.Namespace, fallback.ProviderRef, fallback.Name));
        }

        return links;
    }

    /// <summary>How to reach one link for this caller, or why it cannot be used right now.</summary>
    public UpstreamTarget? Resolve(ChainLink link, Caller caller, out string? problem)
    {
        problem = null;
        var provider = view.Provider(link.ProviderNamespace, link.ProviderName);
        if (provider is null)
        {
            problem = $"ModelProvider {link.ProviderKey} does not exist";
            return null;
        }

        if (!NamespaceAccess.Allows(provider, caller.Namespace, view.NamespaceLabels(caller.Namespace)))
        {
            problem = $"ModelProvider {link.ProviderKey} does not allow namespace {caller.Namespace} ({NamespaceAccess.Describe(provider)})";
            return null;
        }

        var spec = provider.Spec;
        var modelName = link.Model ?? spec.DefaultModel;
        if (string.IsNullOrEmpty(modelName))
        {
            problem = $"neither the agent nor ModelProvider {link.ProviderKey} names a model";
            return null;
        }

        if (spec.Models is { Count: > 0 } allowed && !allowed.Contains(modelName, StringComparer.Ordinal))
        {
            problem = $"ModelProvider {link.ProviderKey} does not serve model {modelName}";
            return null;
        }

        if (ProviderEndpoints.Resolve(provider) is not { } endpoint || !Uri.TryCreate(endpoint.TrimEnd('/') + "/", UriKind.Absolute, out var baseUrl))
        {
            problem = $"ModelProvider {link.ProviderKey} has no usable endpoint";
            return null;
        }

        string? apiKey = null;
        if (spec.ApiKey?.SecretKeyRef is { } keyRef)
        {
            apiKey = SecretValue(link.ProviderNamespace, keyRef);
            if (apiKey is null)
            {
                problem = $"ModelProvider {link.ProviderKey} has no credentials: Secret {link.ProviderNamespace}/{keyRef.Name} key {keyRef.Key} is missing or not labelled {GatewayLabels.ProviderCredentials}=true";
                return null;
            }
        }
        else if (Defaults.RequiresApiKey(spec.Type))
        {
            problem = $"ModelProvider {link.ProviderKey} has no apiKey";
            return null;
        }

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var header in spec.Headers ?? [])
        {
            var value = header.Value;
            if (header.ValueFrom?.SecretKeyRef is { } headerRef)
            {
                value = SecretValue(link.ProviderNamespace, headerRef);
                if (value is null)
                {
                    problem = $"ModelProvider {link.ProviderKey} header {header.Name}: Secret {link.ProviderNamespace}/{headerRef.Name} key {headerRef.Key} is missing or not labelled {GatewayLabels.ProviderCredentials}=true";
                    return null;
                }
            }

            if (value is not null)
            {
                headers.Add(new(header.Name, value));
            }
        }

        var pricing = spec.Pricing?.FirstOrDefault(p => p.Model == modelName);
        return new UpstreamTarget(link.ProviderKey, spec.Type, baseUrl, modelName, apiKey, headers, spec.Limits, pricing);
    }

    /// <summary>The model names a caller may ask for, in chain order, for the models list and for refusals.</summary>
    public IReadOnlyList<string> AllowedModels(Caller caller)
    {
        var names = new List<string>();
        foreach (var link in Chain(caller))
        {
            var name = link.Model ?? view.Provider(link.ProviderNamespace, link.ProviderName)?.Spec.DefaultModel;
            if (!string.IsNullOrEmpty(name) && !names.Contains(name, StringComparer.Ordinal))
            {
                names.Add(name);
            }
        }

        return names;
    }

    private static ChainLink Link(string agentNamespace, ProviderReference reference, string? model) =>
        new(string.IsNullOrEmpty(reference.Namespace) ? agentNamespace : reference.Namespace, reference.Name, string.IsNullOrEmpty(model) ? null : model);

    private string? SecretValue(string ns, SecretKeyReference reference)
    {
        var secret = view.CredentialSecret(ns, reference.Name);
        if (secret is null || !GatewayLabels.Has(secret.Metadata?.Labels, GatewayLabels.ProviderCredentials))
        {
            return null;
        }

        if (secret.Data?.TryGetValue(reference.Key, out var bytes) == true && bytes is { Length: > 0 })
        {
            return Encoding.UTF8.GetString(bytes).Trim();
        }

        return secret.StringData?.TryGetValue(reference.Key, out var text) == true && !string.IsNullOrEmpty(text) ? text.Trim() : null;
    }
}
