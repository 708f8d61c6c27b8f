using System.Net;
using Drover.Api.V1Alpha1;

namespace Drover.Api.Validation;

/// <summary>The rules of an Agent that a CRD schema cannot express.</summary>
public static class AgentValidator
{
    /// <summary>Environment variable prefix the operator sets itself.</summary>
    public const string ReservedEnvPrefix = "DROVER_";

    /// <summary>What to add when runOnce names no process; the Schedule resolver says the same.</summary>
    public const string RunOnceMissingMessage =
        "set spec.runOnce.args (the image's entrypoint runs with them, for example [\"agent\", \"-m\", \"$(DROVER_PROMPT)\"]), "
        + "spec.runOnce.command, or both.";

    /// <summary>Every problem with <paramref name="agent"/>; empty when it is valid.</summary>
    public static IReadOnlyList<ValidationError> Validate(Agent agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var errors = new ValidationErrors();
        var spec = agent.Spec;
        errors.Required("spec.image", spec.Image, "the container image");
        if (spec.Image is { Length: > 0 } image && image.Any(char.IsWhiteSpace))
        {
            errors.Add("spec.image", $"\"{image}\" contains whitespace; an image reference looks like registry/name:tag.");
        }

        errors.OneOf("spec.imagePullPolicy", spec.ImagePullPolicy, ImagePullPolicies.Values);
        if (spec.RunOnce is { } runOnce && !runOnce.NamesAProcess())
        {
            errors.Add("spec.runOnce", RunOnceMissingMessage);
        }

        ValidateModel(spec.Model, errors);
        ValidateInstructions(spec, errors);
        ValidateEnv(spec, errors);
        errors.AtLeast("spec.replicas", spec.Replicas, 0);
        ValidatePortAndHealth(agent, errors);
        ValidatePlacement(spec.Placement, errors);
        ValidateNetwork(spec.Network, errors);
        errors.OneOf("spec.rollout", spec.Rollout, RolloutPolicies.Values);
        if (spec.Storage is { } storage)
        {
            if (spec.Rollout == RolloutPolicies.Surge)
            {
                errors.Add("spec.rollout", "Surge runs the old and the new process at once, but the workspace (spec.storage) is a ReadWriteOnce volume "
                    + "only one pod can mount; use rollout: Replace or remove spec.storage.");
            }

            if (storage.Size is null)
            {
                errors.Add("spec.storage.size", "the workspace size is required, for example 1Gi.");
            }
            else if (storage.Size.ToDecimal() <= 0)
            {
                errors.Add("spec.storage.size", $"\"{storage.Size}\" must be larger than zero.");
            }

            errors.OneOf("spec.storage.whenDeleted", storage.WhenDeleted, WorkspaceRetention.Values);
        }

        if (spec.SecurityContext is { } security)
        {
            // User 0 would fail every pod: they run with runAsNonRoot.
            errors.Between("spec.securityContext.runAsUser", security.RunAsUser, 1, AgentSecurityContext.MaxId);
            errors.Between("spec.securityContext.runAsGroup", security.RunAsGroup, 0, AgentSecurityContext.MaxId);
            errors.Between("spec.securityContext.fsGroup", security.FsGroup, 0, AgentSecurityContext.MaxId);
        }

        errors.Budget("spec.budget", spec.Budget);
        return errors.ToList();
    }

    private static void ValidateModel(AgentModel? model, ValidationErrors errors)
    {
        if (model is null)
        {
            errors.Add("spec.model", "the model is required: spec.model.providerRef.name names a ModelProvider.");
            return;
        }

        errors.Required("spec.model.providerRef.name", model.ProviderRef?.Name, "the ModelProvider name");
        errors.OneOf("spec.model.access", model.Access, ModelAccessModes.Values);
        if (model.Name is { } name && string.IsNullOrWhiteSpace(name))
        {
            errors.Add("spec.model.name", "the model name cannot be empty; remove it to use the provider's defaultModel.");
        }

        var chain = new HashSet<(string?, string?, string?)> { (model.ProviderRef?.Namespace, model.ProviderRef?.Name, model.Name) };
        var fallbacks = model.Fallbacks ?? [];
        for (var i = 0; i < fallbacks.Count; i++)
        {
            var fallback = fallbacks[i];
            var field = $"spec.model.fallbacks[{i}]";
            errors.Required(field + ".providerRef.name", fallback.ProviderRef?.Name, "the ModelProvider name");
            if (fallback.Name is { } fallbackName && string.IsNullOrWhiteSpace(fallbackName))
            {
                errors.Add(field + ".name", "the model name cannot be empty; remove it to use the provider's defaultModel.");
            }

            if (!chain.Add((fallback.ProviderRef?.Namespace, fallback.ProviderRef?.Name, fallback.Name)))
            {
                errors.Add(field, $"falls back to provider \"{fallback.ProviderRef?.Name}\" model \"{fallback.Name ?? "(default)"}\", which is already earlier in the chain.");
            }
        }

        if (model.Parameters is { } parameters)
        {
            if (parameters.Temperature is { } temperature && (temperature < 0 || temperature > 2 || double.IsNaN(temperature)))
            {
                errors.Add("spec.model.parameters.temperature", $"must be between 0 and 2, got {temperature}.");
            }

            if (parameters.TopP is { } topP && (topP < 0 || topP > 1 || double.IsNaN(topP)))
            {
                errors.Add("spec.model.parameters.topP", $"must be between 0 and 1, got {topP}.");
            }

            errors.AtLeast("spec.model.parameters.maxTokens", parameters.MaxTokens, 1);
        }
    }

    private static void ValidateInstructions(AgentSpec spec, ValidationErrors errors)
    {
        if (spec.Instructions is not null && spec.InstructionsFrom is not null)
        {
            errors.Add("spec.instructionsFrom", "set either spec.instructions or spec.instructionsFrom, not both.");
        }

        if (spec.InstructionsFrom is { } from)
        {
            if (from.ConfigMapKeyRef is not { } key)
            {
                errors.Add("spec.instructionsFrom.configMapKeyRef", "name the ConfigMap key holding the instructions.");
            }
            else
            {
                errors.KeyReference("spec.instructionsFrom.configMapKeyRef", key.Name, key.Key, "ConfigMap");
            }
        }
    }

    private static void ValidateEnv(AgentSpec spec, ValidationErrors errors)
    {
        var env = spec.Env ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < env.Count; i++)
        {
            var name = env[i].Name;
            var field = $"spec.env[{i}].name";
            if (!KubernetesNames.IsEnvVarName(name))
            {
                errors.Add(field, $"\"{name}\" is not a valid environment variable name (letters, digits, '_', '-', '.', not starting with a digit).");
            }
            else if (name.StartsWith(ReservedEnvPrefix, StringComparison.Ordinal))
            {
                errors.Add(field, $"\"{name}\" is reserved: the operator sets {ReservedEnvPrefix}* variables itself.");
            }
            else if (!seen.Add(name))
            {
                errors.Add(field, $"\"{name}\" is set twice.");
            }

            if (env[i].Value is not null && env[i].ValueFrom is not null)
            {
                errors.Add($"spec.env[{i}].valueFrom", "set either value or valueFrom, not both.");
            }
        }
    }

    private static void ValidatePortAndHealth(Agent agent, ValidationErrors errors)
    {
        var spec = agent.Spec;
        errors.Port("spec.port", spec.Port);
        if (spec.Port is not null && agent.Metadata.Name is { } name && !KubernetesNames.IsDns1035Label(name))
        {
            errors.Add("metadata.name", $"\"{name}\" cannot name the agent's Service; with spec.port the name must start with a letter and be at most 63 characters.");
        }

        if (spec.Health is { } health)
        {
            if (spec.Port is null)
            {
                errors.Add("spec.health", "health checks need spec.port: the probes call the agent over HTTP.");
            }

            if (health.Path is { } path && !path.StartsWith('/'))
            {
                errors.Add("spec.health.path", $"\"{path}\" must start with '/'.");
            }
        }
    }

    private static void ValidatePlacement(Placement? placement, ValidationErrors errors)
    {
        var architectures = placement?.Architectures ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < architectures.Count; i++)
        {
            var field = $"spec.placement.architectures[{i}]";
            if (!Architectures.Values.Contains(architectures[i], StringComparer.Ordinal))
            {
                errors.Add(field, $"\"{architectures[i]}\" is not supported; use one of: {string.Join(", ", Architectures.Values)}.");
            }
            else if (!seen.Add(architectures[i]))
            {
                errors.Add(field, $"\"{architectures[i]}\" is listed twice.");
            }
        }
    }

    private static void ValidateNetwork(NetworkPolicySpec? network, ValidationErrors errors)
    {
        if (network is null)
        {
            return;
        }

        errors.OneOf("spec.network.egress", network.Egress, EgressModes.Values);
        var allow = network.Allow ?? [];
        if (allow.Count > 0 && network.Egress == EgressModes.Unrestricted)
        {
            errors.Add("spec.network.allow", "allow rules only apply with egress: Restricted; with Unrestricted everything is reachable already.");
        }

        for (var i = 0; i < allow.Count; i++)
        {
            if (!IPNetwork.TryParse(allow[i].Cidr, out _))
            {
                errors.Add($"spec.network.allow[{i}].cidr", $"\"{allow[i].Cidr}\" is not a network in CIDR notation (address/prefix), for example 10.0.0.0/8.");
            }

            var ports = allow[i].Ports ?? [];
            for (var p = 0; p < ports.Count; p++)
            {
                errors.Port($"spec.network.allow[{i}].ports[{p}]", ports[p]);
            }
        }
    }
}
