using k8s.Models;

namespace Drover.Operator.Children;

/// <summary>
/// The recommended <c>app.kubernetes.io/*</c> labels every child carries, and the pod selectors built from them.
/// The application is the agent: a Schedule's run pods carry the agent's name too, so the agent's NetworkPolicy
/// covers them, while <c>instance</c> and <c>component</c> tell the agent's own pods apart.
/// </summary>
internal static class ChildLabels
{
    public const string Name = "app.kubernetes.io/name";
    public const string Instance = "app.kubernetes.io/instance";
    public const string ManagedBy = "app.kubernetes.io/managed-by";
    public const string Component = "app.kubernetes.io/component";
    public const string ManagedByValue = "drover";

    /// <summary>The component of an agent's always-on children.</summary>
    public const string AgentComponent = "agent";

    /// <summary>The component of a Schedule's CronJob and its runs.</summary>
    public const string ScheduleComponent = "schedule";

    /// <summary>The pod-template annotation whose change rolls the agent.</summary>
    public const string ConfigHashAnnotation = "drover.dev/config-hash";

    /// <summary>Labels of a child of <paramref name="instance"/> that belongs to agent <paramref name="agentName"/>.</summary>
    public static SortedDictionary<string, string> For(string agentName, string instance, string component) =>
        new(StringComparer.Ordinal)
        {
            [Name] = agentName,
            [Instance] = instance,
            [ManagedBy] = ManagedByValue,
            [Component] = component,
        };

    /// <summary>Selects exactly the always-on pods of one agent (never its Schedule runs). Immutable on a Deployment.</summary>
    public static SortedDictionary<string, string> AgentPodSelector(string agentName) =>
        new(StringComparer.Ordinal)
        {
            [Name] = agentName,
            [Instance] = agentName,
            [Component] = AgentComponent,
        };

    /// <summary>Selects every pod that runs as the agent: the always-on pods and the Schedule runs.</summary>
    public static SortedDictionary<string, string> AllAgentPodsSelector(string agentName) =>
        new(StringComparer.Ordinal)
        {
            [Name] = agentName,
            [ManagedBy] = ManagedByValue,
        };

    /// <summary>Whether <paramref name="live"/> carries the labels Drover gives <paramref name="desired"/>: the same agent, instance and component, managed by Drover.</summary>
    public static bool SameChild(V1ObjectMeta? live, V1ObjectMeta? desired)
    {
        if (live?.Labels is not { } actual || desired?.Labels is not { } wanted || live.NamespaceProperty != desired.NamespaceProperty)
        {
            return false;
        }

        return new[] { Name, Instance, ManagedBy, Component }.All(key =>
            wanted.TryGetValue(key, out var value) && actual.TryGetValue(key, out var present) && present == value);
    }

    /// <summary>A selector in the string form of the scale subresource's <c>status.selector</c>.</summary>
    public static string ToSelectorString(IReadOnlyDictionary<string, string> selector) =>
        string.Join(",", selector.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
}
