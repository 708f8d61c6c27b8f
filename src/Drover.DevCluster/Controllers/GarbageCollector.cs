using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Resources;
using Drover.DevCluster.Storage;
using Drover.DevCluster.Writes;

namespace Drover.DevCluster.Controllers;

/// <summary>
/// The garbage collector: deletes dependents whose owners are gone, and carries out the
/// <c>foregroundDeletion</c> and <c>orphan</c> finalizers that Foreground and Orphan deletes add.
/// </summary>
internal sealed class GarbageCollector
{
    private readonly ResourceOperations _operations;

    public GarbageCollector(ResourceOperations operations) => _operations = operations;

    /// <summary>One sweep over the store; returns whether it changed anything (so another sweep may be due).</summary>
    public bool Sweep()
    {
        var all = _operations.ObjectStore.ListAll();
        var types = _operations.Catalog.All.GroupBy(t => t.StorageKey).ToDictionary(g => g.Key, g => g.First());
        var live = all.Select(e => e.Object.Uid).ToHashSet();
        var dependents = new Dictionary<string, List<(ResourceType Type, StoredObject Object, JsonObject Reference)>>();
        var changed = false;
        foreach (var (bucket, obj) in all)
        {
            if (obj.Metadata["ownerReferences"] is not JsonArray references || references.Count == 0 || !types.TryGetValue(bucket, out var type))
            {
                continue;
            }

            var owners = references.OfType<JsonObject>().ToList();
            foreach (var reference in owners)
            {
                var uid = Json.String(reference, "uid") ?? string.Empty;
                if (!dependents.TryGetValue(uid, out var list))
                {
                    list = [];
                    dependents[uid] = list;
                }

                list.Add((type, obj, reference));
            }

            var dangling = owners.Where(r => !live.Contains(Json.String(r, "uid") ?? string.Empty)).ToList();
            if (dangling.Count == 0)
            {
                continue;
            }

            if (dangling.Count == owners.Count)
            {
                changed |= obj.Metadata["deletionTimestamp"] is null && TryDelete(type, obj, "Background");
            }
            else
            {
                changed |= RemoveReferences(type, obj, dangling.Select(r => Json.String(r, "uid")!).ToHashSet());
            }
        }

        foreach (var (bucket, owner) in all)
        {
            if (owner.Metadata["deletionTimestamp"] is null || !types.TryGetValue(bucket, out var ownerType))
            {
                continue;
            }

            var finalizers = Json.Strings(owner.Metadata["finalizers"]);
            var mine = dependents.GetValueOrDefault(owner.Uid) ?? [];
            if (finalizers.Contains("orphan"))
            {
                foreach (var (type, dependent, _) in mine)
                {
                    changed |= RemoveReferences(type, dependent, [owner.Uid]);
                }

                if (mine.Count == 0)
                {
                    changed |= RemoveFinalizer(ownerType, owner, "orphan");
                }
            }
            else if (finalizers.Contains("foregroundDeletion"))
            {
                foreach (var (type, dependent, _) in mine.Where(d => d.Object.Metadata["deletionTimestamp"] is null))
                {
                    changed |= TryDelete(type, dependent, "Foreground");
                }

                var blocking = mine.Any(d => Json.At(d.Reference, "blockOwnerDeletion")?.GetValue<bool>() == true);
                if (!blocking)
                {
                    changed |= RemoveFinalizer(ownerType, owner, "foregroundDeletion");
                }
            }
        }

        return changed;
    }

    private bool TryDelete(ResourceType type, StoredObject obj, string policy)
    {
        try
        {
            _operations.Delete(type, obj.Namespace, obj.Name, new DeleteRequest { PropagationPolicy = policy, PreconditionUid = obj.Uid });
            return true;
        }
        catch (ApiException e) when (e.Code is 404 or 409)
        {
            return false;
        }
    }

    private bool RemoveReferences(ResourceType type, StoredObject obj, HashSet<string> uids)
    {
        var next = obj.Clone();
        var metadata = Json.Metadata(next);
        var kept = new JsonArray();
        foreach (var reference in (metadata["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (!uids.Contains(Json.String(reference, "uid") ?? string.Empty))
            {
                kept.Add(reference.DeepClone());
            }
        }

        if (kept.Count == 0)
        {
            metadata.Remove("ownerReferences");
        }
        else
        {
            metadata["ownerReferences"] = kept;
        }

        return _operations.ReplaceInternal(type, obj, next) is not null;
    }

    private bool RemoveFinalizer(ResourceType type, StoredObject obj, string finalizer)
    {
        var next = obj.Clone();
        var metadata = Json.Metadata(next);
        var finalizers = Json.Strings(metadata["finalizers"]);
        finalizers.Remove(finalizer);
        metadata["finalizers"] = Json.ToArray(finalizers);
        if (finalizers.Count == 0)
        {
            metadata.Remove("finalizers");
        }

        return _operations.ReplaceInternal(type, obj, next) is not null;
    }
}
