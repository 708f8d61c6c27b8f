namespace Drover.Scenarios.Support;

/// <summary>Small manifests the stories compose; each is what a user would write.</summary>
internal static class Manifests
{
    public static string Secret(string name, string key, string value, string ns = "default") => $"""
        apiVersion: v1
        kind: Secret
        metadata: {"{"}name: {name}, namespace: {ns}, labels: {"{"}drover.dev/provider-credentials: "true"{"}"}{"}"}
        stringData:
          {key}: {value}
        """;

    public static string OpenAIProvider(string name, string secret, string key = "api-key", string ns = "default", string models = "[gpt-4o-mini, gpt-4o]", string allowed = "{from: Same}") => $"""
        apiVersion: drover.dev/v1alpha1
        kind: ModelProvider
        metadata: {"{"}name: {name}, namespace: {ns}, labels: {"{"}drover.dev/provider-credentials: "true"{"}"}{"}"}
        spec:
          type: OpenAI
          apiKey:
            secretKeyRef: {"{"}name: {secret}, key: {key}{"}"}
          models: {models}
          defaultModel: gpt-4o-mini
          allowedNamespaces: {allowed}
        """;

    public static string GroqProvider(string name, string secret) => $"""
        apiVersion: drover.dev/v1alpha1
        kind: ModelProvider
        metadata: {"{"}name: {name}, namespace: default{"}"}
        spec:
          type: Groq
          apiKey:
            secretKeyRef: {"{"}name: {secret}, key: api-key{"}"}
          defaultModel: llama-3.3-70b-versatile
        """;

    // extra: more spec lines, each indented by two spaces.
    public static string Agent(string name, string provider, string? model = "gpt-4o-mini", string? providerNamespace = null, bool runOnce = true, string extra = "") => $"""
        apiVersion: drover.dev/v1alpha1
        kind: Agent
        metadata: {"{"}name: {name}, namespace: default{"}"}
        spec:
          image: ghcr.io/drover-dev/echo-agent:0.1.0
        {(runOnce ? "  runOnce: {command: [echo-agent, --once, \"$(DROVER_PROMPT)\"]}" : "")}
          model:
            providerRef: {"{"}name: {provider}{(providerNamespace is null ? "" : ", namespace: " + providerNamespace)}{"}"}
        {(model is null ? "" : "    name: " + model)}
        {extra}
        """;

    public static string Schedule(string name, string agent, string cron = "*/5 * * * *") => $"""
        apiVersion: drover.dev/v1alpha1
        kind: Schedule
        metadata: {"{"}name: {name}, namespace: default{"}"}
        spec:
          agentRef: {"{"}name: {agent}{"}"}
          schedule: "{cron}"
          prompt: Say hello.
        """;

    public static string Namespace(string name, string labels = "{}") => $"""
        apiVersion: v1
        kind: Namespace
        metadata: {"{"}name: {name}, labels: {labels}{"}"}
        """;
}
