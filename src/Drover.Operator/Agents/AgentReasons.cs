namespace Drover.Operator.Agents;

/// <summary>The reasons of an Agent's ModelResolved and Ready conditions.</summary>
internal static class AgentReasons
{
    /// <summary>Every model in the chain resolved to a ready, allowed provider.</summary>
    public const string Resolved = "Resolved";

    /// <summary>A providerRef names a ModelProvider that does not exist.</summary>
    public const string ProviderNotFound = "ProviderNotFound";

    /// <summary>The ModelProvider exists but is not Ready (missing Secret, bad spec).</summary>
    public const string ProviderNotReady = "ProviderNotReady";

    /// <summary>The ModelProvider lives in another namespace that does not allow the agent's namespace.</summary>
    public const string ProviderNotAllowed = "ProviderNotAllowed";

    /// <summary>The model is not in the provider's allow-list.</summary>
    public const string ModelNotAllowed = "ModelNotAllowed";

    /// <summary>No model name is given and the provider has no defaultModel.</summary>
    public const string ModelRequired = "ModelRequired";

    /// <summary>The spec breaks a rule the CRD schema cannot express.</summary>
    public const string InvalidSpec = "InvalidSpec";

    /// <summary>spec.model.access is Gateway, but the operator was started without a gateway.</summary>
    public const string GatewayUnknown = "GatewayUnknown";

    /// <summary>instructionsFrom names a ConfigMap or key that does not exist.</summary>
    public const string InstructionsNotFound = "InstructionsNotFound";

    /// <summary>Every desired agent process is ready.</summary>
    public const string Available = "Available";

    /// <summary>A rollout is under way.</summary>
    public const string Progressing = "Progressing";

    /// <summary>The rollout finished or stalled, but not every process is ready.</summary>
    public const string Unavailable = "Unavailable";

    /// <summary>replicas is 0: the agent is parked on purpose.</summary>
    public const string Parked = "Parked";
}
