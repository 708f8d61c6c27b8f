using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Client;
using Drover.Operator.Cluster;
using Drover.Operator.Gateway;
using Drover.Operator.ModelProviders;

namespace Drover.Operator.Agents;

/// <summary>
/// What an Agent reads from the cluster, stated once: the ModelProviders of its chain and the ConfigMap holding its
/// instructions. The cache indexes that bring a change of one of these back to the agent and the resolvers that read
/// them both come from here. (What those providers read in turn is <c>ProviderReferences</c>.)
/// </summary>
internal static class AgentReferences
{
    /// <summary>Agent index: <c>namespace/name</c> of every ModelProvider in the chain.</summary>
    public const string ByProvider = "agent-providers";

    /// <summary>Agent index: <c>namespace/name</c> of the ConfigMap holding the instructions.</summary>
    public const string ByConfigMap = "agent-configmaps";

    /// <summary>
    /// Registers the agent indexes, and has the ConfigMaps the agents name cached, and the gateway's Service while any
    /// agent exists (its pod selector is the agents' NetworkPolicy peer in Gateway mode).
    /// </summary>
    public static void Register(OperatorInformers informers, GatewayEndpoint? gateway = null)
    {
        ArgumentNullException.ThrowIfNull(informers);
        if (gateway?.Service is { } service)
        {
            informers.Services.Follow(informers.Agents, _ => [new ObjectKey(service.Namespace, service.Name)]);
        }

        var agents = informers.Agents;
        agents.AddIndex(ByProvider, a => Links(a).Select(l => OperatorInformers.Key(l.ProviderNamespace, l.ProviderName)).Distinct(StringComparer.Ordinal));
        agents.AddIndex(ByConfigMap, a => Instructions(a) is { } reference ? [OperatorInformers.Key(a.Metadata.NamespaceProperty, reference.Name)] : []);
        informers.ConfigMaps.Follow(agents, ConfigMapKeys);
    }

    /// <summary>
    /// Waits until everything <paramref name="agent"/> reads by name is cached: its instructions ConfigMap and the
    /// Services of its providers, so nothing that exists is reported missing.
    /// </summary>
    public static async Task ReadyAsync(Agent agent, OperatorInformers informers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(informers);
        await informers.ConfigMaps.WaitForAsync(ConfigMapKeys(agent), OperatorInformers.ReferenceWait, cancellationToken);
        foreach (var link in Links(agent))
        {
            if (informers.ModelProviders.Cache.Get(link.ProviderNamespace, link.ProviderName) is { } provider)
            {
                await ProviderReferences.ReadyAsync(provider, informers, cancellationToken);
            }
        }
    }

    private static IEnumerable<ObjectKey> ConfigMapKeys(Agent agent) =>
        Instructions(agent) is { } reference ? [new ObjectKey(agent.Metadata.NamespaceProperty, reference.Name)] : [];

    /// <summary>The chain as written: the primary model, then each fallback, with the provider's namespace filled in.</summary>
    public static IEnumerable<ModelLink> Links(Agent agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var model = agent.Spec.Model;
        var ns = agent.Metadata.NamespaceProperty ?? "";
        if (model?.ProviderRef is { Name.Length: > 0 } primary)
        {
            yield return new ModelLink("spec.model", string.IsNullOrEmpty(primary.Namespace) ? ns : primary.Namespace, primary.Name, model.Name);
        }

        var fallbacks = model?.Fallbacks ?? [];
        for (var i = 0; i < fallbacks.Count; i++)
        {
            if (fallbacks[i].ProviderRef is { Name.Length: > 0 } reference)
            {
                yield return new ModelLink($"spec.model.fallbacks[{i}]", string.IsNullOrEmpty(reference.Namespace) ? ns : reference.Namespace, reference.Name, fallbacks[i].Name);
            }
        }
    }

    /// <summary>The ConfigMap key holding the instructions, in the agent's namespace; null when they are inline or absent.</summary>
    public static ConfigMapKeyReference? Instructions(Agent agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return agent.Spec.InstructionsFrom?.ConfigMapKeyRef is { Name.Length: > 0 } reference ? reference : null;
    }
}

/// <summary>One link of an agent's model chain as written.</summary>
/// <param name="Field">Where it is set, for messages (spec.model, spec.model.fallbacks[0]).</param>
/// <param name="ProviderNamespace">The provider's namespace (the agent's when the reference names none).</param>
/// <param name="ProviderName">The provider's name.</param>
/// <param name="Model">The model name; null or empty takes the provider's defaultModel.</param>
internal sealed record ModelLink(string Field, string ProviderNamespace, string ProviderName, string? Model);
