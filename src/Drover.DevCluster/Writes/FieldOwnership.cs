using System.Text.Json.Nodes;
using Drover.DevCluster.Patching;
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
        try
        {
            ManagedFields.RecordUpdate(before, after, manager, type.ApiVersion, now, subresource, PatchApplication.SchemaFor(type));
        }
        catch (PatchException e)
        {
            throw PatchApplication.Translate(e);
        }
    }

    /// <summary>Merges an apply body into the live object (null = create) for <paramref name="manager"/>.</summary>
    public static ApplyOutcome Apply(ResourceType type, JsonObject? live, JsonObject applied, string manager, bool force, DateTimeOffset now, string? subresource)
    {
        ArgumentNullException.ThrowIfNull(type);
        try
        {
            var result = ServerSideApply.Apply(live, applied, manager, force, PatchApplication.SchemaFor(type), type.ApiVersion, now, subresource);
            return new ApplyOutcome(result.Object, result.Conflicts.Count == 0 ? null : ServerSideApply.FormatConflictMessage(result.Conflicts), [.. result.Conflicts.Select(c => (c.Manager, c.Field, c.Message))]);
        }
        catch (PatchException e)
        {
            throw PatchApplication.Translate(e);
        }
    }
}

/// <summary>An apply's result: the merged object, or the conflicts (and their Status message) that stopped it.</summary>
public sealed record ApplyOutcome(JsonObject? Object, string? ConflictMessage, IReadOnlyList<(string Manager, string Field, string Message)> Conflicts);
