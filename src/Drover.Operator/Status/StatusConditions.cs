using Drover.ControllerRuntime.Apply;
using k8s.Models;

namespace Drover.Operator.Status;

/// <summary>Merges decided conditions into an object's existing ones with Kubernetes semantics.</summary>
internal static class StatusConditions
{
    /// <summary>
    /// A new list: the existing conditions (copied, never changed) updated with <paramref name="desired"/>;
    /// conditions of other types are kept. Ordered by type so the status serialises the same way every time.
    /// </summary>
    public static List<V1Condition> Merge(
        IEnumerable<V1Condition>? existing,
        IEnumerable<DesiredCondition> desired,
        long? observedGeneration,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var merged = (existing ?? []).Select(Copy).ToList();
        foreach (var condition in desired)
        {
            Conditions.Set(merged, condition.Type, condition.Status, condition.Reason, condition.Message, observedGeneration, now);
        }

        return [.. merged.OrderBy(c => c.Type, StringComparer.Ordinal)];
    }

    private static V1Condition Copy(V1Condition c) => new()
    {
        Type = c.Type,
        Status = c.Status,
        Reason = c.Reason,
        Message = c.Message,
        ObservedGeneration = c.ObservedGeneration,
        LastTransitionTime = c.LastTransitionTime,
    };
}
