using Drover.ControllerRuntime.Client;
using k8s;
using k8s.Models;

namespace Drover.ControllerRuntime.Informers;

/// <summary>
/// The informer's thread-safe store: objects by namespace/name plus named secondary indexes
/// (e.g. <c>byProvider</c>: agent → the providers it references, looked up backwards). Objects handed out are
/// shared with every reader: treat them as read-only and clone before changing.
/// </summary>
public sealed class InformerCache<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ObjectKey, T> _objects = [];
    private readonly Dictionary<string, Index> _indexes = new(StringComparer.Ordinal);

    // Built in, because every controller asks "what is in this namespace" and "what does this owner own" on its hot
    // path; a scan of the whole cache there makes each reconcile cost grow with the fleet.
    private readonly Index _byNamespace = new(o => [o.Metadata?.NamespaceProperty ?? string.Empty]);
    private readonly Index _byOwner = new(o => o.Metadata?.OwnerReferences?.Select(r => r.Uid).Where(uid => !string.IsNullOrEmpty(uid)) ?? []);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _objects.Count;
            }
        }
    }

    public T? Get(string? ns, string name) => Get(new ObjectKey(string.IsNullOrEmpty(ns) ? null : ns, name));

    public T? Get(ObjectKey key)
    {
        lock (_lock)
        {
            return _objects.GetValueOrDefault(key);
        }
    }

    public IReadOnlyList<T> List()
    {
        lock (_lock)
        {
            return [.. _objects.Values];
        }
    }

    public IReadOnlyList<T> List(string? ns)
    {
        if (string.IsNullOrEmpty(ns))
        {
            return List();
        }

        lock (_lock)
        {
            return Resolve(_byNamespace, ns);
        }
    }

    /// <summary>The objects with an ownerReference to the object with this uid.</summary>
    public IReadOnlyList<T> OwnedBy(string ownerUid)
    {
        ArgumentException.ThrowIfNullOrEmpty(ownerUid);
        lock (_lock)
        {
            return Resolve(_byOwner, ownerUid);
        }
    }

    public IReadOnlyList<ObjectKey> Keys()
    {
        lock (_lock)
        {
            return [.. _objects.Keys];
        }
    }

    /// <summary>Registers a secondary index; existing objects are indexed at once, later ones as they arrive.</summary>
    public void AddIndex(string name, Func<T, IEnumerable<string>> keysOf)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(keysOf);
        lock (_lock)
        {
            if (_indexes.ContainsKey(name))
            {
                throw new InvalidOperationException($"An index named '{name}' already exists.");
            }

            var index = new Index(keysOf);
            _indexes[name] = index;
            foreach (var (key, obj) in _objects)
            {
                index.Insert(key, obj);
            }
        }
    }

    /// <summary>The objects whose index function produced <paramref name="value"/>.</summary>
    public IReadOnlyList<T> ByIndex(string indexName, string value)
    {
        lock (_lock)
        {
            if (!_indexes.TryGetValue(indexName, out var index))
            {
                throw new InvalidOperationException($"No index named '{indexName}'.");
            }

            return Resolve(index, value);
        }
    }

    /// <summary>Stores <paramref name="obj"/> and returns what it replaced.</summary>
    internal T? Set(T obj)
    {
        var key = ObjectKey.Of(obj);
        lock (_lock)
        {
            _objects.TryGetValue(key, out var old);
            foreach (var index in AllIndexes())
            {
                if (old is not null)
                {
                    index.Remove(key, old);
                }

                index.Insert(key, obj);
            }

            _objects[key] = obj;
            return old;
        }
    }

    internal T? Remove(ObjectKey key)
    {
        lock (_lock)
        {
            if (!_objects.Remove(key, out var old))
            {
                return null;
            }

            foreach (var index in AllIndexes())
            {
                index.Remove(key, old);
            }

            return old;
        }
    }

    private IEnumerable<Index> AllIndexes() => _indexes.Values.Append(_byNamespace).Append(_byOwner);

    // Under _lock.
    private List<T> Resolve(Index index, string value) =>
        index.Entries.TryGetValue(value, out var keys) ? [.. keys.Select(k => _objects[k])] : [];

    private sealed class Index(Func<T, IEnumerable<string>> keysOf)
    {
        public Dictionary<string, HashSet<ObjectKey>> Entries { get; } = new(StringComparer.Ordinal);

        public void Insert(ObjectKey key, T obj)
        {
            foreach (var value in keysOf(obj))
            {
                if (!Entries.TryGetValue(value, out var keys))
                {
                    keys = [];
                    Entries[value] = keys;
                }

                keys.Add(key);
            }
        }

        public void Remove(ObjectKey key, T obj)
        {
            foreach (var value in keysOf(obj))
            {
                if (Entries.TryGetValue(value, out var keys) && keys.Remove(key) && keys.Count == 0)
                {
                    Entries.Remove(value);
                }
            }
        }
    }
}
