using System.Text.Json.Nodes;

namespace Drover.DevCluster.Patching;

/// <summary>
/// Field ownership for ordinary writes (create, update, non-apply patch). Such writes never conflict: the manager's
/// Update entry takes every field the write set or changed, and other managers lose those fields and any removed ones.
/// </summary>
public static class ManagedFields
{
    /// <summary>
    /// Records an Update entry for <paramref name="manager"/> in <paramref name="after"/>.metadata.managedFields.
    /// Uses the merge keys of built-in kinds (from <paramref name="after"/>'s apiVersion and kind); custom resources
    /// should use the overload that takes their schema.
    /// </summary>
    public static void RecordUpdate(JsonObject? before, JsonObject after, string manager, string apiVersion, DateTimeOffset now, string? subresource = null)
    {
        ArgumentNullException.ThrowIfNull(after);
        var typeApiVersion = (after["apiVersion"] as JsonValue)?.GetValue<string>() ?? apiVersion;
        var slash = typeApiVersion.IndexOf('/', StringComparison.Ordinal);
        var group = slash < 0 ? string.Empty : typeApiVersion[..slash];
        var version = slash < 0 ? typeApiVersion : typeApiVersion[(slash + 1)..];
        var kind = (after["kind"] as JsonValue)?.GetValue<string>() ?? string.Empty;
        RecordUpdate(before, after, manager, apiVersion, now, subresource, BuiltinSchemas.For(group, version, kind));
    }

    /// <summary>Records an Update entry using <paramref name="schema"/> to key list items.</summary>
    public static void RecordUpdate(JsonObject? before, JsonObject after, string manager, string apiVersion, DateTimeOffset now, string? subresource, FieldSchema schema)
    {
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(schema);

        // A write may carry managedFields (to edit them directly); otherwise, and always for subresources, the
        // stored ones count. A single empty entry is the documented way to clear them.
        var sent = ManagedFieldsCodec.Read(after);
        var source = subresource is null && sent is JsonArray { Count: > 0 } ? sent : ManagedFieldsCodec.Read(before);
        var reset = sent is JsonArray { Count: 1 } only && only[0] is JsonObject { Count: 0 };
        var original = reset ? [] : ManagedFieldsCodec.Decode(source);
        var entries = reset ? [] : ManagedFieldsCodec.Decode(source);

        var comparison = ObjectComparison.Between(ManagedFieldsCodec.WithoutManagedFields(before), ManagedFieldsCodec.WithoutManagedFields(after), schema);
        var changed = ManagedFieldsCodec.Strip(comparison.Modified.Union(comparison.Added));
        foreach (var entry in entries.Values)
        {
            entry.Fields = entry.Fields.Difference(comparison.Modified).Difference(comparison.Added).Difference(comparison.Removed);
        }

        if (!changed.IsEmpty)
        {
            var identity = ManagerIdentity.Update(manager, apiVersion, subresource);
            var owned = entries.TryGetValue(identity, out var existing) ? existing.Fields.Union(changed) : changed;
            entries[identity] = new ManagerEntry(identity, apiVersion, ManagedFieldsCodec.FormatTime(now), owned);
        }

        if (!reset && changed.IsEmpty && ManagedFieldsCodec.SameOwnership(original, entries))
        {
            ManagedFieldsCodec.Write(after, source?.DeepClone());
            return;
        }

        ManagedFieldsCodec.Write(after, ManagedFieldsCodec.Encode(entries.Values));
    }
}
