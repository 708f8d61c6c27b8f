namespace Drover.DevCluster.Controllers.Workloads;

/// <summary>
/// The objects each owner controls (by the uid in their controller ownerReference), kept current from the store's
/// commit hook, so a controller finds a ReplicaSet's pods without scanning its namespace.
/// </summary>
internal sealed class OwnerIndex
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HashSet<ObjectKey>> _byOwner = new(StringComparer.Ordinal);
    private readonly Dictionary<ObjectKey, string> _ownerOf = [];

    public void Set(ObjectKey key, string? ownerUid)
    {
        lock (_gate)
        {
            if (_ownerOf.TryGetValue(key, out var current))
            {
                if (current == ownerUid)
                {
                    return;
                }

                Detach(key, current);
            }

            if (string.IsNullOrEmpty(ownerUid))
            {
                return;
            }

            _ownerOf[key] = ownerUid;
            if (!_byOwner.TryGetValue(ownerUid, out var set))
            {
                set = [];
                _byOwner[ownerUid] = set;
            }

            set.Add(key);
        }
    }

    public void Remove(ObjectKey key)
    {
        lock (_gate)
        {
            if (_ownerOf.TryGetValue(key, out var current))
            {
                Detach(key, current);
            }
        }
    }

    public List<ObjectKey> Dependents(string ownerUid)
    {
        lock (_gate)
        {
            return _byOwner.TryGetValue(ownerUid, out var set) ? [.. set] : [];
        }
    }

    private void Detach(ObjectKey key, string ownerUid)
    {
        _ownerOf.Remove(key);
        if (_byOwner.TryGetValue(ownerUid, out var set) && set.Remove(key) && set.Count == 0)
        {
            _byOwner.Remove(ownerUid);
        }
    }
}
