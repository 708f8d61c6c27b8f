namespace Drover.DevCluster.Controllers.Workloads;

/// <summary>
/// Objects the simulated controllers must look at: those a committed write touched, and those whose time comes
/// (a pod that finishes starting, a back-off that ends, a deadline). Filled from the store's commit hook, drained
/// by the controller loop, so a settled cluster costs nothing per sweep.
/// </summary>
internal sealed class WorkQueue
{
    private readonly Lock _gate = new();
    private readonly PriorityQueue<ObjectKey, DateTimeOffset> _timers = new();
    private readonly Dictionary<ObjectKey, DateTimeOffset> _earliest = [];
    private HashSet<ObjectKey> _dirty = [];

    public void Add(ObjectKey key)
    {
        lock (_gate)
        {
            _dirty.Add(key);
        }
    }

    /// <summary>Looks at <paramref name="key"/> again at <paramref name="due"/> (or earlier, if already due sooner).</summary>
    public void AddAt(ObjectKey key, DateTimeOffset due)
    {
        lock (_gate)
        {
            if (_earliest.TryGetValue(key, out var scheduled) && scheduled <= due)
            {
                return;
            }

            _earliest[key] = due;
            _timers.Enqueue(key, due);
        }
    }

    /// <summary>When the next timer is due, or null when none waits.</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            lock (_gate)
            {
                return _dirty.Count > 0 ? DateTimeOffset.MinValue : _timers.TryPeek(out _, out var due) ? due : null;
            }
        }
    }

    /// <summary>Everything dirty now, including timers that are due; the queue starts empty again.</summary>
    public HashSet<ObjectKey> Take(DateTimeOffset now)
    {
        lock (_gate)
        {
            while (_timers.TryPeek(out var key, out var due) && due <= now)
            {
                _timers.Dequeue();
                if (_earliest.TryGetValue(key, out var scheduled) && scheduled == due)
                {
                    _earliest.Remove(key);
                    _dirty.Add(key);
                }
            }

            var taken = _dirty;
            _dirty = [];
            return taken;
        }
    }
}
