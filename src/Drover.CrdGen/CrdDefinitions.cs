using System.Text.Json.Serialization.Metadata;
using Drover.Api;
using Drover.Api.V1Alpha1;

namespace Drover.CrdGen;

/// <summary>A printer column shown by <c>kubectl get</c>.</summary>
internal sealed record PrinterColumn(string Name, string Type, string JsonPath, string Description, int Priority = 0);

/// <summary>What a CRD needs besides its schema: names, columns and subresources.</summary>
internal sealed record CrdDefinition(
    string Kind,
    string Plural,
    JsonTypeInfo RootType,
    IReadOnlyList<string> ShortNames,
    IReadOnlyList<PrinterColumn> Columns,
    bool Scalable)
{
    public string Singular => Kind.ToLowerInvariant();

    public string ListKind => Kind + "List";

    public string Name => $"{Plural}.{DroverApi.Group}";

    public string FileName => $"{DroverApi.Group}_{Plural}.yaml";

    // Declared before All: static initialisers run in order.
    private static PrinterColumn Ready { get; } =
        new("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status", "Whether the object is ready.");

    // What Ready alone does not say: why not (ModelNotAllowed, AgentNotFound), or which kind of ready (Parked, Suspended).
    private static PrinterColumn Reason { get; } =
        new("Reason", "string", ".status.conditions[?(@.type==\"Ready\")].reason", "Why the object is or is not ready.");

    private static PrinterColumn Age { get; } =
        new("Age", "date", ".metadata.creationTimestamp", "Time since the object was created.");

    /// <summary>The three Drover kinds.</summary>
    public static IReadOnlyList<CrdDefinition> All { get; } =
    [
        new(Agent.KubeKind, Agent.KubePluralName, DroverJsonContext.Default.Agent, ["ag"],
        [
            new("Provider", "string", ".spec.model.providerRef.name", "The ModelProvider of the primary model.", Priority: 1),
            // What the processes run; a change that does not resolve leaves it and shows its reason in Reason.
            new("Model", "string", ".status.model.primary.model", "The resolved primary model the agent processes run."),
            new("Requested", "string", ".spec.model.name", "The primary model spec.model.name asks for (empty: the provider's default).", Priority: 1),
            new("Replicas", "integer", ".spec.replicas", "Desired agent processes."),
            new("Available", "integer", ".status.readyReplicas", "Agent processes that are ready."),
            Ready,
            Reason,
            Age,
        ], Scalable: true),
        new(ModelProvider.KubeKind, ModelProvider.KubePluralName, DroverJsonContext.Default.ModelProvider, ["mp"],
        [
            new("Type", "string", ".spec.type", "The API the provider speaks."),
            new("Endpoint", "string", ".status.endpoint", "The resolved base URL."),
            Ready,
            Reason,
            Age,
        ], Scalable: false),
        new(Schedule.KubeKind, Schedule.KubePluralName, DroverJsonContext.Default.Schedule, ["sched"],
        [
            new("Agent", "string", ".spec.agentRef.name", "The Agent that answers the prompt."),
            new("Schedule", "string", ".spec.schedule", "The cron schedule."),
            new("TimeZone", "string", ".spec.timeZone", "The time zone the schedule is read in.", Priority: 1),
            new("Suspended", "boolean", ".status.suspended", "Whether new runs are held: by spec.suspend, or by the operator while the Schedule cannot run."),
            new("Last", "date", ".status.lastScheduleTime", "When a run last started."),
            // A date column renders as the age since the time, which a future time does not have
            // (the API server prints "<invalid>"), so the next run is shown as its timestamp.
            new("Next", "string", ".status.nextScheduleTime", "When the next run is due (RFC 3339)."),
            Ready,
            Reason,
            Age,
        ], Scalable: false),
    ];
}
