using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Resources;
using Drover.DevCluster.Writes;

namespace Drover.DevCluster.Controllers;

/// <summary>The namespace controller: empties a Terminating namespace, then finalizes it away.</summary>
internal sealed class NamespaceLifecycle
{
    private readonly ResourceOperations _operations;

    public NamespaceLifecycle(ResourceOperations operations) => _operations = operations;

    public bool Sweep()
    {
        var namespaceType = BuiltinResources.All[0];
        var terminating = _operations.ObjectStore.List(namespaceType.StorageKey, null).Items
            .Where(n => n.Metadata["deletionTimestamp"] is not null)
            .ToList();
        if (terminating.Count == 0)
        {
            return false;
        }

        var changed = false;
        var types = _operations.Catalog.All.Where(t => t.Namespaced).GroupBy(t => t.StorageKey).ToDictionary(g => g.Key, g => g.First());
        var names = terminating.Select(n => n.Name).ToHashSet();
        var content = _operations.ObjectStore.ListAll().Where(e => names.Contains(e.Object.Namespace)).ToList();
        foreach (var (bucket, obj) in content)
        {
            if (obj.Metadata["deletionTimestamp"] is null && types.TryGetValue(bucket, out var type))
            {
                try
                {
                    _operations.Delete(type, obj.Namespace, obj.Name, new DeleteRequest { PropagationPolicy = "Background" });
                    changed = true;
                }
                catch (ApiException e) when (e.Code is 404 or 409)
                {
                    // Gone already or busy; the next sweep looks again.
                }
            }
        }

        foreach (var ns in terminating)
        {
            if (content.Any(e => e.Object.Namespace == ns.Name))
            {
                continue;
            }

            var next = ns.Clone();
            if (next["spec"] is JsonObject spec)
            {
                spec["finalizers"] = new JsonArray();
            }

            changed |= _operations.ReplaceInternal(namespaceType, ns, next) is not null;
        }

        return changed;
    }
}
