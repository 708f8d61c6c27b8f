using System.Text.Json.Nodes;
using Drover.DevCluster.Resources;

namespace Drover.DevCluster.Writes;

/// <summary>managedFields bookkeeping and server-side apply, the two places where field managers matter.</summary>
public static class FieldOwnership
{
    /// <summary>Records an Update entry for a non-apply write by <paramref name="manager"/>.</summary>
    public static void RecordUpdate(ResourceType type, JsonObject? before, JsonObject after, string manager, DateTimeOffset now, string? subresource)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(after);
        _ = (before, manager, now, subresource);
    }

    /// <summary>Merges an apply body into the live object (null = create) for <paramref name="manager"/>.</summary>
    public static ApplyOutcome Apply(ResourceType type, JsonObject? live, JsonObject applied, string manager, bool force, DateTimeOffset now, string? subresource)
    {
        ArgumentNullException.ThrowIfNull(type);
        _ = (manager, force, now, subresource);
        var merged = (JsonObject)Patching.MergePatch.Apply(live, applied)!;
        return new ApplyOutcome(merged, []);
    }
}

/// <summary>An apply's result: the merged object, or the conflicts that stopped it.</summary>
public sealed record ApplyOutcome(JsonObject? Object, IReadOnlyList<(string Manager, string Field, string Message)> Conflicts);
