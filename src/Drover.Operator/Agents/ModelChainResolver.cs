using Drover.Api.Access;
using Drover.Api.V1Alpha1;
using Drover.Operator.ModelProviders;
using Drover.Operator.Resolution;
using Drover.Operator.Status;

namespace Drover.Operator.Agents;

/// <summary>
/// Resolves an agent's primary model and fallbacks to ready providers its namespace may use. The first link that
/// cannot resolve fails the whole chain: an agent silently running without a fallback it asked for would surprise.
/// </summary>
internal static class ModelChainResolver
{
    /// <param name="agent">The agent (defaults need not be applied).</param>
    /// <param name="cluster">Where providers, their Secrets and namespace labels are read.</param>
    /// <param name="chain">The resolved chain when the result is null.</param>
    /// <returns>Null on success, else why the chain cannot resolve.</returns>
    public static ResolutionFailure? TryResolve(Agent agent, IClusterLookup cluster, out ModelChain? chain) =>
        TryResolve(agent, cluster, out chain, out _);

    /// <param name="agent">The agent (defaults need not be applied).</param>
    /// <param name="cluster">Where providers, their Secrets and namespace labels are read.</param>
    /// <param name="chain">The resolved chain when the result is null.</param>
    /// <param name="usable">
    /// When the chain does not resolve: the links the agent may still use, in order (null when none is left). A running
    /// agent keeps only these, so a key it may no longer use leaves its Secret and its pods.
    /// </param>
    /// <returns>Null on success, else why the chain cannot resolve (the first link at fault).</returns>
    public static ResolutionFailure? TryResolve(Agent agent, IClusterLookup cluster, out ModelChain? chain, out ModelChain? usable)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(cluster);
        chain = null;
        usable = null;
        ResolutionFailure? first = null;
        var links = new List<ChainedModel>();
        foreach (var link in AgentReferences.Links(agent))
        {
            var failure = TryResolveLink(agent, cluster, link, out var resolved);
            if (failure is null)
            {
                links.Add(resolved!);
            }
            else
            {
                first ??= failure;
            }
        }

        if (links.Count == 0 && first is null)
        {
            return new ResolutionFailure(AgentReasons.InvalidSpec, "spec.model.providerRef.name: Required value; name the ModelProvider that serves the agent's model.");
        }

        var resolvedChain = links.Count == 0 ? null : new ModelChain(links[0], links[1..], agent.Spec.Model.Parameters);
        if (first is null)
        {
            chain = resolvedChain;
        }
        else
        {
            usable = resolvedChain;
        }

        return first;
    }

    private static ResolutionFailure? TryResolveLink(Agent agent, IClusterLookup cluster, ModelLink reference, out ChainedModel? link)
    {
        link = null;
        var agentNamespace = agent.Metadata.NamespaceProperty ?? "";
        var (field, ns, modelName) = (reference.Field, reference.ProviderNamespace, reference.Model);
        var provider = cluster.ModelProvider(ns, reference.ProviderName);
        if (provider is null)
        {
            return new ResolutionFailure(
                AgentReasons.ProviderNotFound,
                $"{field}.providerRef: ModelProvider \"{reference.ProviderName}\" was not found in namespace \"{ns}\"; create it or correct the name.");
        }

        // Checked before readiness so a namespace that may not use a provider learns nothing about its state.
        if (!NamespaceAccess.Allows(provider, agentNamespace, cluster.NamespaceLabels(agentNamespace)))
        {
            return new ResolutionFailure(
                AgentReasons.ProviderNotAllowed,
                $"{field}.providerRef: ModelProvider \"{ns}/{reference.ProviderName}\" does not allow agents from namespace \"{agentNamespace}\" "
                + $"({NamespaceAccess.Describe(provider)}); ask its owner to allow this namespace in spec.allowedNamespaces, or use a provider in \"{agentNamespace}\".");
        }

        var resolved = ModelProviderResolver.Resolve(provider, cluster);
        if (!resolved.IsReady)
        {
            return new ResolutionFailure(
                AgentReasons.ProviderNotReady,
                $"{field}.providerRef: ModelProvider \"{ns}/{reference.ProviderName}\" is not ready ({resolved.Ready.Reason}): {resolved.Ready.Message}");
        }

        var spec = resolved.Provider.Spec;
        var name = string.IsNullOrEmpty(modelName) ? spec.DefaultModel : modelName;
        if (string.IsNullOrEmpty(name))
        {
            return new ResolutionFailure(
                AgentReasons.ModelRequired,
                $"{field}.name is not set and ModelProvider \"{ns}/{reference.ProviderName}\" has no defaultModel; set {field}.name"
                + (spec.Models is { Count: > 0 } models ? $" to one of: {string.Join(", ", models)}." : "."));
        }

        if (spec.Models is { Count: > 0 } allowed && !allowed.Contains(name, StringComparer.Ordinal))
        {
            return new ResolutionFailure(
                AgentReasons.ModelNotAllowed,
                $"{field}.name: model \"{name}\" is not allowed by ModelProvider \"{ns}/{reference.ProviderName}\"; use one of: {string.Join(", ", allowed)}, "
                + "or add it to the provider's spec.models.");
        }

        link = new ChainedModel(field, resolved, name);
        return null;
    }
}
