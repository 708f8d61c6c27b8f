using Drover.DevCluster.Controllers.Workloads;
using Drover.DevCluster.Resources;
using Drover.DevCluster.Storage;

namespace Drover.DevCluster.Controllers;

/// <summary>
/// Events live for a time-to-live counted from their last write (the API server stores them under an etcd lease
/// renewed on every update, one hour by default); then they are deleted, watchers see DELETED, and a PATCH to one
/// gets 404 as on a real server.
/// </summary>
internal sealed class EventExpiry
{
    private readonly Lock _gate = new();
    private readonly ObjectStore _store;
    private readonly HashSet<string> _buckets;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;
    private readonly Dictionary<ObjectKey, long> _latest = [];
    private readonly PriorityQueue<(ObjectKey Key, long Version), DateTimeOffset> _due = new();

    public EventExpiry(ObjectStore store, ResourceCatalog catalog, TimeSpan ttl, TimeProvider time)
    {
        _store = store;
        _ttl = ttl;
        _time = time;
        _buckets = catalog.All.Where(t => t.Plural == "events" && t.Group is "" or "events.k8s.io").Select(t => t.StorageKey).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>When the next Event expires, or null when none is stored.</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            lock (_gate)
            {
                return _due.TryPeek(out _, out var due) ? due : null;
            }
        }
    }

    /// <summary>Called from the store's commit hook: every write of an Event restarts its time to live.</summary>
    public void Notify(StoreEvent change)
    {
        if (!_buckets.Contains(change.Bucket))
        {
            return;
        }

        var key = new ObjectKey(change.Bucket, change.Object.Namespace, change.Object.Name);
        lock (_gate)
        {
            if (change.Type == "DELETED")
            {
                _latest.Remove(key);
                return;
            }

            _latest[key] = change.ResourceVersion;
            _due.Enqueue((key, change.ResourceVersion), _time.GetUtcNow() + _ttl);
        }
    }

    public bool Sweep()
    {
        var now = _time.GetUtcNow();
        var expired = new List<(ObjectKey Key, long Version)>();
        lock (_gate)
        {
            while (_due.TryPeek(out var entry, out var due) && due <= now)
            {
                _due.Dequeue();
                if (_latest.TryGetValue(entry.Key, out var version) && version == entry.Version)
                {
                    expired.Add(entry);
                }
            }
        }

        var deleted = false;
        foreach (var (key, version) in expired)
        {
            deleted |= _store.Delete(key.Bucket, key.Namespace, key.Name, version).Status == WriteStatus.Done;
        }

        return deleted;
    }
}
