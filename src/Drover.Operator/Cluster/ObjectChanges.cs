using k8s.Models;

namespace Drover.Operator.Cluster;

/// <summary>Which changes of an input are news to the objects that read it; the controllers' watch filters use these.</summary>
internal static class ObjectChanges
{
    /// <summary>Whether a Secret's type or any value (data or stringData) differs; labels and annotations alone are not content.</summary>
    public static bool SecretContent(V1Secret old, V1Secret current)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(current);
        return old.Type != current.Type || !SameBytes(old.Data, current.Data) || !SameStrings(old.StringData, current.StringData);
    }

    public static bool Labels(V1ObjectMeta old, V1ObjectMeta current)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(current);
        return !SameStrings(old.Labels, current.Labels);
    }

    public static bool Generation(V1ObjectMeta old, V1ObjectMeta current)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(current);
        return old.Generation != current.Generation;
    }

    /// <summary>Whether what a NetworkPolicy rule reads of a Service (its pod selector and ports) differs.</summary>
    public static bool ServiceRouting(V1Service old, V1Service current)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(current);
        if (!SameStrings(old.Spec?.Selector, current.Spec?.Selector))
        {
            return true;
        }

        var before = old.Spec?.Ports ?? [];
        var after = current.Spec?.Ports ?? [];
        return before.Count != after.Count
            || before.Zip(after).Any(p => p.First.Port != p.Second.Port || p.First.TargetPort?.Value != p.Second.TargetPort?.Value);
    }

    /// <summary>Two string maps with the same entries; null and empty are the same.</summary>
    public static bool SameStrings(IDictionary<string, string>? a, IDictionary<string, string>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0))
        {
            return false;
        }

        foreach (var (key, value) in a ?? new Dictionary<string, string>())
        {
            if (b is null || !b.TryGetValue(key, out var other) || other != value)
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameBytes(IDictionary<string, byte[]>? a, IDictionary<string, byte[]>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0))
        {
            return false;
        }

        foreach (var (key, value) in a ?? new Dictionary<string, byte[]>())
        {
            if (b is null || !b.TryGetValue(key, out var other) || !value.AsSpan().SequenceEqual(other))
            {
                return false;
            }
        }

        return true;
    }
}
