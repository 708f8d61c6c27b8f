using System.Text.Json.Nodes;

namespace Drover.DevCluster.Storage;

/// <summary>
/// The cluster's state: objects keyed by (bucket, namespace, name), one global monotonic
/// resourceVersion, and a bounded history of changes for watch resumption. A single lock keeps
/// every write and the fan-out to watchers atomic, so a watch never misses or reorders events.
/// </summary>
public sealed class ObjectStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Bucket, string Namespace, string Name)> _byUid = new(StringComparer.Ordinal);
    private readonly List<WatchSubscription> _watchers = [];
    private readonly StoreEvent?[] _history;
    private readonly int _watchBuffer;
    private int _historyNext;
    private long _compactedThrough;
    private long _resourceVersion;

    public ObjectStore(int historyLimit, int watchBuffer = 4096)
    {
        _history = new StoreEvent?[Math.Max(1, historyLimit)];
        _watchBuffer = Math.Max(16, watchBuffer);
    }

    /// <summary>Called under the store lock after each committed write; must be quick and must not call back in.</summary>
    public Action<StoreEvent>? Committed { get; set; }

    public long ResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _resourceVersion;
            }
        }
    }

    /// <summary>The oldest resourceVersion a watch can still resume from.</summary>
    public long CompactedThrough
    {
        get
        {
            lock (_gate)
            {
                return _compactedThrough;
            }
        }
    }

    public int OpenWatches
    {
        get
        {
            lock (_gate)
            {
                return _watchers.Count;
            }
        }
    }

    public StoredObject? Get(string bucket, string ns, string name)
    {
        lock (_gate)
        {
            return _buckets.TryGetValue(bucket, out var b) ? b.Get(ns, name) : null;
        }
    }

    public bool UidExists(string uid)
    {
        lock (_gate)
        {
            return _byUid.ContainsKey(uid);
        }
    }

    /// <summary>Objects of a bucket (optionally one namespace), ordered by namespace then name, after a continue key.</summary>
    public ListPage List(string bucket, string? ns, Func<StoredObject, bool>? filter = null, (string Namespace, string Name)? after = null, int limit = 0)
    {
        lock (_gate)
        {
            var items = new List<StoredObject>();
            (string, string)? next = null;
            if (_buckets.TryGetValue(bucket, out var b))
            {
                foreach (var obj in b.Enumerate(ns))
                {
                    if (after is { } a && Compare(obj.Namespace, obj.Name, a.Namespace, a.Name) <= 0)
                    {
                        continue;
                    }

                    if (filter is not null && !filter(obj))
                    {
                        continue;
                    }

                    if (limit > 0 && items.Count == limit)
                    {
                        var last = items[^1];
                        next = (last.Namespace, last.Name);
                        break;
                    }

                    items.Add(obj);
                }
            }

            return new ListPage(items, _resourceVersion, next);
        }
    }

    /// <summary>Every stored object with its bucket, for the server's own controllers.</summary>
    public IReadOnlyList<(string Bucket, StoredObject Object)> ListAll()
    {
        lock (_gate)
        {
            var all = new List<(string, StoredObject)>();
            foreach (var (key, bucket) in _buckets)
            {
                foreach (var obj in bucket.Enumerate(null))
                {
                    all.Add((key, obj));
                }
            }

            return all;
        }
    }

    /// <summary>Stores a new object; null when the name is taken. Assigns the resourceVersion.</summary>
    public StoredObject? Create(string bucket, JsonObject obj)
    {
        lock (_gate)
        {
            var (ns, name) = Identity(obj);
            var b = BucketFor(bucket);
            if (b.Get(ns, name) is not null)
            {
                return null;
            }

            var stored = Stamp(obj);
            b.Set(stored);
            IndexUid(bucket, stored);
            Publish(new StoreEvent("ADDED", bucket, stored, null));
            return stored;
        }
    }

    /// <summary>Replaces an object if it is still at <paramref name="expectedResourceVersion"/>.</summary>
    public WriteOutcome Update(string bucket, JsonObject obj, long expectedResourceVersion)
    {
        lock (_gate)
        {
            var (ns, name) = Identity(obj);
            var b = BucketFor(bucket);
            var current = b.Get(ns, name);
            if (current is null)
            {
                return new WriteOutcome(WriteStatus.NotFound, null);
            }

            if (current.ResourceVersion != expectedResourceVersion)
            {
                return new WriteOutcome(WriteStatus.Conflict, current);
            }

            var stored = Stamp(obj);
            b.Set(stored);
            Publish(new StoreEvent("MODIFIED", bucket, stored, current));
            return new WriteOutcome(WriteStatus.Done, stored);
        }
    }

    /// <summary>Removes an object (if still at the expected version when one is given); the result is its last state at the deletion revision.</summary>
    public WriteOutcome Delete(string bucket, string ns, string name, long? expectedResourceVersion = null)
    {
        lock (_gate)
        {
            var b = BucketFor(bucket);
            var current = b.Get(ns, name);
            if (current is null)
            {
                return new WriteOutcome(WriteStatus.NotFound, null);
            }

            if (expectedResourceVersion is { } expected && current.ResourceVersion != expected)
            {
                return new WriteOutcome(WriteStatus.Conflict, current);
            }

            b.Remove(ns, name);
            _byUid.Remove(current.Uid);
            var tombstone = Stamp(current.Clone());
            Publish(new StoreEvent("DELETED", bucket, tombstone, current));
            return new WriteOutcome(WriteStatus.Done, tombstone);
        }
    }

    /// <summary>Opens a watch. <paramref name="start"/> decides whether it replays history or starts with the current objects.</summary>
    public WatchOpening Watch(string bucket, string? ns, Func<JsonObject, bool>? filter, WatchStart start)
    {
        lock (_gate)
        {
            if (start.After is { } after)
            {
                if (after < _compactedThrough)
                {
                    return new WatchOpening(null, $"too old resource version: {after} ({_compactedThrough + 1})");
                }

                var replay = History().Where(e => e.ResourceVersion > after && e.Bucket == bucket).ToList();
                var resumed = new WatchSubscription(this, bucket, ns, filter, _watchBuffer + replay.Count);
                foreach (var change in replay)
                {
                    resumed.Offer(change);
                }

                _watchers.Add(resumed);
                return new WatchOpening(resumed, null);
            }

            var initial = start.SendInitialObjects && _buckets.TryGetValue(bucket, out var b) ? b.Enumerate(ns).ToList() : [];
            var subscription = new WatchSubscription(this, bucket, ns, filter, _watchBuffer + initial.Count + 1);
            foreach (var obj in initial)
            {
                if (subscription.Matches(obj))
                {
                    subscription.Write(new WatchEvent("ADDED", obj, obj.ResourceVersion));
                }
            }

            if (start.InitialEventsEndBookmark)
            {
                subscription.Write(new WatchEvent("BOOKMARK", null, _resourceVersion, InitialEventsEnd: true));
            }

            _watchers.Add(subscription);
            return new WatchOpening(subscription, null);
        }
    }

    /// <summary>Closes every open watch stream, as an API server restart would.</summary>
    public int CloseAllWatches(string reason)
    {
        lock (_gate)
        {
            var count = _watchers.Count;
            foreach (var watcher in _watchers)
            {
                watcher.Close(reason);
            }

            _watchers.Clear();
            return count;
        }
    }

    internal void Bookmark(WatchSubscription subscription)
    {
        lock (_gate)
        {
            if (_watchers.Contains(subscription))
            {
                subscription.Write(new WatchEvent("BOOKMARK", null, _resourceVersion));
            }
        }
    }

    internal void Unsubscribe(WatchSubscription subscription)
    {
        lock (_gate)
        {
            _watchers.Remove(subscription);
            subscription.Close("closed");
        }
    }

    private static int Compare(string ns1, string name1, string ns2, string name2)
    {
        var byNamespace = string.CompareOrdinal(ns1, ns2);
        return byNamespace != 0 ? byNamespace : string.CompareOrdinal(name1, name2);
    }

    private static (string Namespace, string Name) Identity(JsonObject obj)
    {
        var metadata = obj["metadata"] as JsonObject ?? throw new ArgumentException("object has no metadata", nameof(obj));
        return (metadata["namespace"]?.GetValue<string>() ?? string.Empty, metadata["name"]?.GetValue<string>() ?? string.Empty);
    }

    private Bucket BucketFor(string bucket)
    {
        if (!_buckets.TryGetValue(bucket, out var b))
        {
            b = new Bucket();
            _buckets[bucket] = b;
        }

        return b;
    }

    private StoredObject Stamp(JsonObject obj)
    {
        var rv = ++_resourceVersion;
        ((JsonObject)obj["metadata"]!)["resourceVersion"] = rv.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new StoredObject(obj, rv);
    }

    private void IndexUid(string bucket, StoredObject stored)
    {
        if (stored.Uid.Length > 0)
        {
            _byUid[stored.Uid] = (bucket, stored.Namespace, stored.Name);
        }
    }

    private void Publish(StoreEvent change)
    {
        var slot = _history[_historyNext];
        if (slot is not null)
        {
            _compactedThrough = slot.ResourceVersion;
        }

        _history[_historyNext] = change;
        _historyNext = (_historyNext + 1) % _history.Length;
        foreach (var watcher in _watchers.ToArray())
        {
            watcher.Offer(change);
        }

        Committed?.Invoke(change);
    }

    private IEnumerable<StoreEvent> History()
    {
        for (var i = 0; i < _history.Length; i++)
        {
            if (_history[(_historyNext + i) % _history.Length] is { } change)
            {
                yield return change;
            }
        }
    }

    private sealed class Bucket
    {
        private readonly SortedDictionary<string, SortedDictionary<string, StoredObject>> _namespaces = new(StringComparer.Ordinal);

        public StoredObject? Get(string ns, string name) =>
            _namespaces.TryGetValue(ns, out var names) && names.TryGetValue(name, out var obj) ? obj : null;

        public void Set(StoredObject obj)
        {
            if (!_namespaces.TryGetValue(obj.Namespace, out var names))
            {
                names = new SortedDictionary<string, StoredObject>(StringComparer.Ordinal);
                _namespaces[obj.Namespace] = names;
            }

            names[obj.Name] = obj;
        }

        public void Remove(string ns, string name)
        {
            if (_namespaces.TryGetValue(ns, out var names) && names.Remove(name) && names.Count == 0)
            {
                _namespaces.Remove(ns);
            }
        }

        public IEnumerable<StoredObject> Enumerate(string? ns)
        {
            if (!string.IsNullOrEmpty(ns))
            {
                return _namespaces.TryGetValue(ns, out var names) ? names.Values : [];
            }

            return _namespaces.Values.SelectMany(names => names.Values);
        }
    }
}

public enum WriteStatus
{
    Done,
    NotFound,
    Conflict,
}

public sealed record WriteOutcome(WriteStatus Status, StoredObject? Object);

public sealed record ListPage(IReadOnlyList<StoredObject> Items, long ResourceVersion, (string Namespace, string Name)? Next);

/// <summary>Where a watch begins: after a resourceVersion (replaying history), or now with the current objects.</summary>
public sealed record WatchStart(long? After, bool SendInitialObjects, bool InitialEventsEndBookmark);

public sealed record WatchOpening(WatchSubscription? Subscription, string? ExpiredMessage);
