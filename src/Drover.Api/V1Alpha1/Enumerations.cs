namespace Drover.Api.V1Alpha1;

// String constants rather than C# enums: the API server already restricts the values,
// and a value added by a newer CRD must not make an older operator fail to read the object.

/// <summary>The kinds of model provider Drover knows how to configure.</summary>
public static class ProviderTypes
{
    /// <summary>OpenAI's hosted API.</summary>
    public const string OpenAI = "OpenAI";

    /// <summary>Anthropic's hosted API.</summary>
    public const string Anthropic = "Anthropic";

    /// <summary>Google Gemini through its OpenAI-compatible endpoint.</summary>
    public const string Gemini = "Gemini";

    /// <summary>Groq's hosted API.</summary>
    public const string Groq = "Groq";

    /// <summary>DeepSeek's hosted API.</summary>
    public const string DeepSeek = "DeepSeek";

    /// <summary>OpenRouter.</summary>
    public const string OpenRouter = "OpenRouter";

    /// <summary>Mistral's hosted API.</summary>
    public const string Mistral = "Mistral";

    /// <summary>An Ollama server, usually in the cluster.</summary>
    public const string Ollama = "Ollama";

    /// <summary>Any other server that speaks the OpenAI API (vLLM, KubeAI, LiteLLM, ...).</summary>
    public const string OpenAICompatible = "OpenAICompatible";

    /// <summary>Every known type, in documentation order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [OpenAI, Anthropic, Gemini, Groq, DeepSeek, OpenRouter, Mistral, Ollama, OpenAICompatible];
}

/// <summary>Which namespaces may reference a ModelProvider.</summary>
public static class NamespacesFrom
{
    /// <summary>Only the provider's own namespace.</summary>
    public const string Same = "Same";

    /// <summary>Every namespace.</summary>
    public const string All = "All";

    /// <summary>Namespaces whose labels match <c>allowedNamespaces.selector</c>.</summary>
    public const string Selector = "Selector";

    /// <summary>Every accepted value.</summary>
    public static IReadOnlyList<string> Values { get; } = [Same, All, Selector];
}

/// <summary>How an agent may reach the network.</summary>
public static class EgressModes
{
    /// <summary>Only DNS, the agent's model providers and the listed extras.</summary>
    public const string Restricted = "Restricted";

    /// <summary>No NetworkPolicy is created.</summary>
    public const string Unrestricted = "Unrestricted";

    /// <summary>Every accepted value.</summary>
    public static IReadOnlyList<string> Values { get; } = [Restricted, Unrestricted];
}

/// <summary>How an agent reaches its models.</summary>
public static class ModelAccessModes
{
    /// <summary>Through the model gateway, with the agent's own gateway key.</summary>
    public const string Gateway = "Gateway";

    /// <summary>Straight to the provider, with the provider's key.</summary>
    public const string Direct = "Direct";

    /// <summary>Every accepted value.</summary>
    public static IReadOnlyList<string> Values { get; } = [Gateway, Direct];
}

/// <summary>How a new configuration of an agent replaces its running processes.</summary>
public static class RolloutPolicies
{
    /// <summary>Old processes exit before new ones start (Deployment strategy Recreate): never two copies at once.</summary>
    public const string Replace = "Replace";

    /// <summary>A new process is ready before an old one stops (RollingUpdate, maxSurge 1, maxUnavailable 0): no gap.</summary>
    public const string Surge = "Surge";

    /// <summary>Every accepted value.</summary>
    public static IReadOnlyList<string> Values { get; } = [Replace, Surge];
}

/// <summary>CPU architectures an agent can be placed on (values of the <c>kubernetes.io/arch</c> node label).</summary>
public static class Architectures
{
    /// <summary>x86-64.</summary>
    public const string Amd64 = "amd64";

    /// <summary>64-bit ARM (Graviton, Raspberry Pi 4/5, Ampere).</summary>
    public const string Arm64 = "arm64";

    /// <summary>Every accepted value.</summary>
    public static IReadOnlyList<string> Values { get; } = [Amd64, Arm64];
}

/// <summary>What a Schedule does when a run is due while the previous one still runs.</summary>
public static class ConcurrencyPolicies
{
    /// <summary>Skip the new run.</summary>
    public const string Forbid = "Forbid";

    /// <summary>Run both.</summary>
    public const string Allow = "Allow";

    /// <summary>Stop the running one and start the new run.</summary>
    public const string Replace = "Replace";

    /// <summary>Every accepted value.</summary>
    public static IReadOnlyList<string> Values { get; } = [Forbid, Allow, Replace];
}

/// <summary>What happens to an agent's workspace claim when the agent goes.</summary>
public static class WorkspaceRetention
{
    /// <summary>The claim and its volume stay; an Agent of the same name adopts them.</summary>
    public const string Retain = "Retain";

    /// <summary>The claim is deleted with the Agent (through its ownerReference).</summary>
    public const string Delete = "Delete";

    /// <summary>Every accepted value.</summary>
    public static IReadOnlyList<string> Values { get; } = [Retain, Delete];
}

/// <summary>Container image pull policies.</summary>
public static class ImagePullPolicies
{
    /// <summary>Pull on every start.</summary>
    public const string Always = "Always";

    /// <summary>Pull only when the node lacks the image.</summary>
    public const string IfNotPresent = "IfNotPresent";

    /// <summary>Never pull.</summary>
    public const string Never = "Never";

    /// <summary>Every accepted value.</summary>
    public static IReadOnlyList<string> Values { get; } = [Always, IfNotPresent, Never];
}

/// <summary>The condition types Drover writes into <c>status.conditions</c>.</summary>
public static class ConditionTypes
{
    /// <summary>The object is fully reconciled and serving.</summary>
    public const string Ready = "Ready";

    /// <summary>A ModelProvider's API key and secret headers were read.</summary>
    public const string CredentialsResolved = "CredentialsResolved";

    /// <summary>An Agent's model chain resolved to allowed providers.</summary>
    public const string ModelResolved = "ModelResolved";

    /// <summary>An Agent or Schedule has budget left in the current day (written by the model gateway).</summary>
    public const string WithinBudget = "WithinBudget";
}
