using Drover.Api;
using Drover.Api.V1Alpha1;
using Drover.Api.Validation;
using Drover.Operator.Gateway;
using Drover.Operator.Resolution;
using Drover.Operator.Status;

namespace Drover.Operator.Agents;

/// <summary>Turns an Agent as stored into a plan: defaults, validation, model chain and instructions.</summary>
internal static class AgentResolver
{
    public static AgentResolution Resolve(Agent agent, IClusterLookup cluster, OperatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(options);
        var defaulted = Defaults.Apply(agent);
        var errors = AgentValidator.Validate(defaulted);
        if (errors.Count > 0)
        {
            return AgentResolution.ChainFailed(new ResolutionFailure(AgentReasons.InvalidSpec, string.Join(" ", errors.Select(e => e.ToString()))));
        }

        var gatewayFailure = TryGateway(defaulted, cluster, options, out var gateway, out var key);
        if (gatewayFailure is not null)
        {
            return AgentResolution.ChainFailed(gatewayFailure);
        }

        var chainFailure = ModelChainResolver.TryResolve(defaulted, cluster, out var chain, out var usable);
        var instructionsFailure = TryReadInstructions(defaulted, cluster, out var instructions);
        if (chainFailure is not null)
        {
            // What a running agent may keep: the links it may still use, when nothing else is wrong.
            var revoked = usable is not null && instructionsFailure is null ? new AgentPlan(defaulted, usable, instructions, cluster.SecretDigest, gateway, key) : null;
            return AgentResolution.ChainFailed(chainFailure, revoked);
        }

        return instructionsFailure is null
            ? AgentResolution.Resolved(new AgentPlan(defaulted, chain!, instructions, cluster.SecretDigest, gateway, key))
            : AgentResolution.Failed(chain!, instructionsFailure);
    }

    /// <summary>Whether the agent goes through the gateway: as it asks, else whenever the operator knows one.</summary>
    public static bool UsesGateway(Agent agent, OperatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(options);
        return agent.Spec.Model?.Access switch
        {
            ModelAccessModes.Gateway => true,
            ModelAccessModes.Direct => false,
            _ => options.Gateway is not null,
        };
    }

    private static ResolutionFailure? TryGateway(Agent agent, IClusterLookup cluster, OperatorOptions options, out GatewayEndpoint? gateway, out GatewayKey? key)
    {
        gateway = null;
        key = null;
        if (!UsesGateway(agent, options))
        {
            return null;
        }

        if (options.Gateway is null)
        {
            return new ResolutionFailure(
                AgentReasons.GatewayUnknown,
                "spec.model.access is Gateway, but this operator runs without a model gateway; install the chart with gateway.enabled=true "
                + "(or start drover run with --gateway-url), or set spec.model.access to Direct.");
        }

        gateway = options.Gateway.Located(cluster);
        var ns = agent.Metadata.NamespaceProperty ?? "";
        var rotation = agent.Metadata.Annotations?.TryGetValue(DroverLabels.RotateGatewayKey, out var value) == true ? value : null;
        key = cluster.GatewayKey(ns, GatewayKey.SecretName(agent.Metadata.Name), agent.Metadata.Uid, rotation);
        return null;
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
