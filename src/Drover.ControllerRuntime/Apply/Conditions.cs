using k8s.Models;

namespace Drover.ControllerRuntime.Apply;

/// <summary>
/// metav1.Condition bookkeeping with Kubernetes semantics (apimachinery's meta.SetStatusCondition): one condition
/// per type, <c>lastTransitionTime</c> moves only when the status flips, and each write records the generation it
/// was computed from.
/// </summary>
public static class Conditions
{
    public const string True = "True";
    public const string False = "False";
    public const string Unknown = "Unknown";

    /// <summary>Adds or updates the condition of <paramref name="type"/>; returns whether anything changed.</summary>
    public static bool Set(
        IList<V1Condition> conditions,
        string type,
        string status,
        string reason,
        string? message,
        long? observedGeneration,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentException.ThrowIfNullOrEmpty(status);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        var existing = Find(conditions, type);
        if (existing is null)
        {
            conditions.Add(new V1Condition
            {
                Type = type,
                Status = status,
                Reason = reason,
                Message = message ?? string.Empty,
                ObservedGeneration = observedGeneration,
                LastTransitionTime = TruncateToSeconds(now),
            });
            return true;
        }

        var changed = false;
        if (existing.Status != status)
        {
            existing.Status = status;
            existing.LastTransitionTime = TruncateToSeconds(now);
            changed = true;
        }

        if (existing.Reason != reason)
        {
            existing.Reason = reason;
            changed = true;
        }

        if ((existing.Message ?? string.Empty) != (message ?? string.Empty))
        {
            existing.Message = message ?? string.Empty;
            changed = true;
        }

        if (existing.ObservedGeneration != observedGeneration)
        {
            existing.ObservedGeneration = observedGeneration;
            changed = true;
        }

        return changed;
    }

    public static V1Condition? Find(IEnumerable<V1Condition>? conditions, string type) =>
        conditions?.FirstOrDefault(c => c.Type == type);

    public static bool IsTrue(IEnumerable<V1Condition>? conditions, string type) => Find(conditions, type)?.Status == True;

    public static bool Remove(IList<V1Condition> conditions, string type)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        var existing = Find(conditions, type);
        return existing is not null && conditions.Remove(existing);
    }

    // metav1.Time has seconds precision on the wire; a sub-second value would read back different and look like a change.
    private static DateTime TruncateToSeconds(DateTimeOffset time) =>
        new(time.UtcDateTime.Ticks - (time.UtcDateTime.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
}
