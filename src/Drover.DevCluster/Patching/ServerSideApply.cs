using System.Text.Json.Nodes;

namespace Drover.DevCluster.Patching;

/// <summary>
/// Server-side apply with structured-merge-diff semantics: the applied configuration's fields become the manager's
/// Apply entry; values merge into the live object by the schema's list and map types; fields the manager applied
/// before and now omits are removed unless another manager owns them; changing a field another manager owns is a
/// conflict unless forced, which transfers ownership.
/// </summary>
public static class ServerSideApply
{
    /// <summary>
    /// Applies <paramref name="applied"/> for <paramref name="manager"/> onto <paramref name="live"/> (null to create).
    /// For the <c>status</c> subresource only <c>status</c> is applied. The caller drops fields the endpoint ignores
    /// (e.g. <c>status</c> on the main resource of a kind with a status subresource) before calling.
    /// An apply that changes nothing returns an exact copy of <paramref name="live"/>.
    /// </summary>
    public static ApplyResult Apply(JsonObject? live, JsonObject applied, string manager, bool force, FieldSchema schema, string apiVersion, DateTimeOffset now, string? subresource = null)
    {
        ArgumentNullException.ThrowIfNull(applied);
        ArgumentNullException.ThrowIfNull(schema);
        if (string.IsNullOrEmpty(manager))
        {
            throw new PatchException(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
                [("fieldManager", "FieldValueRequired", "Required value: is required for apply patch")]);
        }

        if (ManagedFieldsCodec.Read(applied) is { } sentFields && !(sentFields is JsonArray { Count: 0 }) && !JsonEquality.IsNull(sentFields))
        {
            throw PatchException.BadRequest("metadata.managedFields must be nil");
        }

        var config = subresource == "status" ? StatusOnly(applied) : (JsonObject)applied.DeepClone();
        var liveObject = ManagedFieldsCodec.WithoutManagedFields(live);
        var original = ManagedFieldsCodec.Decode(ManagedFieldsCodec.Read(live));
        var entries = ManagedFieldsCodec.Decode(ManagedFieldsCodec.Read(live));
        var identity = ManagerIdentity.Apply(manager, subresource);
        entries.TryGetValue(identity, out var previous);
        var appliedSet = ManagedFieldsCodec.Strip(ObjectFields.Of(config, schema));

        var merged = (JsonObject?)ObjectMerge.Merge(liveObject, config, schema, FieldPath.Root) ?? [];
        var others = entries.Values.Where(e => e.Identity != identity).ToList();
        if (previous is not null)
        {
            merged = FieldRemoval.Remove(merged, NoLongerApplied(previous.Fields, appliedSet, others), schema);
        }

        var comparison = ObjectComparison.Between(liveObject, merged, schema);
        var changed = comparison.Modified.Union(comparison.Added);
        var conflicts = new List<ApplyConflict>();
        foreach (var other in others.OrderBy(o => o.Identity.Manager, StringComparer.Ordinal).ThenBy(o => o.Identity.Operation, StringComparer.Ordinal))
        {
            foreach (var path in other.Fields.Intersection(changed).Paths)
            {
                conflicts.Add(new ApplyConflict(other.Identity.Manager, path.ToString(), "conflict with " + other.Identity.Describe()));
            }
        }

        if (conflicts.Count > 0 && !force)
        {
            return new ApplyResult(null, conflicts);
        }

        foreach (var other in others)
        {
            other.Fields = other.Fields.Difference(changed).Difference(comparison.Removed);
        }

        // The manager's time moves only when the object changes (apimachinery managedFieldsUpdater).
        var time = comparison.IsSame && previous?.Time is not null ? previous.Time : ManagedFieldsCodec.FormatTime(now);
        entries[identity] = new ManagerEntry(identity, apiVersion, time, appliedSet);
        foreach (var empty in entries.Where(e => e.Value.Fields.IsEmpty).Select(e => e.Key).ToList())
        {
            entries.Remove(empty);
        }

        if (live is not null && comparison.IsSame && ManagedFieldsCodec.SameOwnership(original, entries))
        {
            return new ApplyResult((JsonObject)live.DeepClone(), []);
        }

        var result = comparison.IsSame ? liveObject : merged;
        ManagedFieldsCodec.Write(result, ManagedFieldsCodec.Encode(entries.Values));
        return new ApplyResult(result, []);
    }

    /// <summary>
    /// The 409 Status message for <paramref name="conflicts"/>, worded as apimachinery's <c>getConflictMessage</c>:
    /// <c>Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas</c>, or for several,
    /// <c>Apply failed with N conflicts: conflicts with "m":\n- .a\n- .b</c> grouped by manager.
    /// </summary>
    public static string FormatConflictMessage(IReadOnlyList<ApplyConflict> conflicts)
    {
        ArgumentNullException.ThrowIfNull(conflicts);
        const string Prefix = "conflict with ";
        if (conflicts.Count == 1)
        {
            return $"Apply failed with 1 conflict: {conflicts[0].Message}: {conflicts[0].Field}";
        }

        var lines = new List<string>();
        foreach (var group in conflicts.GroupBy(c => c.Message.StartsWith(Prefix, StringComparison.Ordinal) ? c.Message[Prefix.Length..] : c.Message).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            lines.Add($"conflicts with {group.Key}:");
            lines.AddRange(group.Select(c => "- " + c.Field));
        }

        return $"Apply failed with {conflicts.Count} conflicts: {string.Join("\n", lines)}";
    }

    /// <summary>
    /// Paths the manager applied last time and omits now, that nobody else (nor the new configuration) owns at or
    /// below: these are removed from the object.
    /// </summary>
    private static FieldSet NoLongerApplied(FieldSet previous, FieldSet current, List<ManagerEntry> others)
    {
        var removed = new FieldSet();
        foreach (var path in previous.Difference(current).Paths)
        {
            if (!current.HasPathOrDescendant(path) && !others.Any(o => o.Fields.HasPathOrDescendant(path)) && !IsKeyOfKeptItem(path, removed))
            {
                removed.Insert(path);
            }
        }

        return removed;
    }

    /// <summary>
    /// A list-map item's key field is never removed while the item stays (someone else still owns part of it):
    /// the item would lose its identity.
    /// </summary>
    private static bool IsKeyOfKeptItem(FieldPath path, FieldSet removed)
    {
        if (path.Count < 2 || path.Elements[^1].FieldName is not { } field || path.Elements[^2].Key is not { } key || key.All(k => k.Key != field))
        {
            return false;
        }

        return !removed.Has(new FieldPath(path.Elements.Take(path.Count - 1)));
    }

    /// <summary>A status apply only touches status; the identity fields stay so the object is still recognisable.</summary>
    private static JsonObject StatusOnly(JsonObject applied)
    {
        var result = new JsonObject();
        foreach (var key in new[] { "apiVersion", "kind" })
        {
            if (applied[key] is { } value)
            {
                result[key] = value.DeepClone();
            }
        }

        if (applied["metadata"] is JsonObject metadata)
        {
            var identity = new JsonObject();
            foreach (var key in new[] { "name", "namespace" })
            {
                if (metadata[key] is { } value)
                {
                    identity[key] = value.DeepClone();
                }
            }

            result["metadata"] = identity;
        }

        if (applied["status"] is { } status)
        {
            result["status"] = status.DeepClone();
        }

        return result;
    }
}
