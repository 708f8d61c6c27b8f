using Drover.Operator.Status;
using Drover.Api.V1Alpha1;
using Drover.Api.Validation;
using Drover.Operator.Resolution;

namespace Drover.Operator.Agents;

/// <summary>Turns an Agent as stored into a plan: defaults, validation, model chain and instructions.</summary>
internal static class AgentResolver
{
    public static AgentResolution Resolve(Agent agent, IClusterLookup cluster)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(cluster);
        var defaulted = Defaults.Apply(agent);
        var errors = AgentValidator.Validate(defaulted);
        if (errors.Count > 0)
        {
            return AgentResolution.ChainFailed(new ResolutionFailure(AgentReasons.InvalidSpec, string.Join(" ", errors.Select(e => e.ToString()))));
        }

        var chainFailure = ModelChainResolver.TryResolve(defaulted, cluster, out var chain, out var usable);
        var instructionsFailure = TryReadInstructions(defaulted, cluster, out var instructions);
        if (chainFailure is not null)
        {
            // What a running agent may keep: the links it may still use, when nothing else is wrong.
            var revoked = usable is not null && instructionsFailure is null ? new AgentPlan(defaulted, usable, instructions, cluster.SecretDigest) : null;
            return AgentResolution.ChainFailed(chainFailure, revoked);
        }

        return instructionsFailure is null
            ? AgentResolution.Resolved(new AgentPlan(defaulted, chain!, instructions, cluster.SecretDigest))
            : AgentResolution.Failed(chain!, instructionsFailure);
    }

    private static ResolutionFailure? TryReadInstructions(Agent agent, IClusterLookup cluster, out string? instructions)
    {
        instructions = agent.Spec.Instructions;
        if (AgentReferences.Instructions(agent) is not { } reference)
        {
            return null;
        }

        var ns = agent.Metadata.NamespaceProperty ?? "";
        var configMap = cluster.ConfigMap(ns, reference.Name);
        if (configMap is null)
        {
            return new ResolutionFailure(
                AgentReasons.InstructionsNotFound,
                $"spec.instructionsFrom.configMapKeyRef: ConfigMap \"{reference.Name}\" was not found in namespace \"{ns}\"; create it or correct the name.");
        }

        if (configMap.Data?.TryGetValue(reference.Key, out var text) == true && text is not null)
        {
            instructions = text;
            return null;
        }

        var keys = (configMap.Data?.Keys ?? []).Order(StringComparer.Ordinal).ToList();
        return new ResolutionFailure(
            AgentReasons.InstructionsNotFound,
            $"spec.instructionsFrom.configMapKeyRef: ConfigMap \"{reference.Name}\" in namespace \"{ns}\" has no key \"{reference.Key}\""
            + (keys.Count == 0 ? "; the ConfigMap has no data." : $"; it has: {string.Join(", ", keys)}."));
    }
}
