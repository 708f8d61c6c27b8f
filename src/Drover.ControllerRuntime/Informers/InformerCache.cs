using System.Text.Json.Serialization.Metadata;
using Drover.ControllerRuntime.Client;
using k8s;
using k8s.Models;

namespace Drover.ControllerRuntime.Informers;

/// <summary>
/// The informer's thread-safe store: objects by namespace/name plus named secondary indexes
/// (e.g. <c>byProvider</c>: agent → the providers it references, looked up backwards). Objects handed out may be
/// shared with every reader: treat them as read-only and clone before changing. A packed cache keeps each object
/// as compressed JSON (<see cref="PackedObject"/>) and hands out a fresh copy on every read.
/// </summary>
public sealed class InformerCache<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Lock _lock = new();

    // A T, or a PackedObject when _packWith is set.
    private readonly Dictionary<ObjectKey, object> _objects = [];
    private readonly JsonTypeInfo<T>? _packWith;
    private readonly Dictionary<string, Index> _indexes = new(StringComparer.Ordinal);

    // Built in, because every controller asks "what is in this namespace" and "what does this owner own" on its hot
    // path; a scan of the whole cache there makes each reconcile cost grow with the fleet.
    private readonly Index _byNamespace = new(o => [o.Metadata?.NamespaceProperty ?? string.Empty]);
    private readonly Index _byOwner = new(o => o.Metadata?.OwnerReferences?.Select(r => r.Uid).Where(uid => !string.IsNullOrEmpty(uid)) ?? []);

    public InformerCache()
    {
    }

    /// <param name="packWith">When set, objects are stored packed (compressed JSON) through this metadata.</param>
    public InformerCache(JsonTypeInfo<T>? packWith)
    {
        _packWith = packWith;
    }

    /// <summary>Whether objects are kept as compressed JSON rather than as typed objects.</summary>
    public bool IsPacked => _packWith is not null;

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
        object? stored;
        lock (_lock)
        {
            stored = _objects.GetValueOrDefault(key);
        }

        return stored is null ? null : Unwrap(stored);
    }

    /// <summary>The resourceVersion of the cached object, without unpacking it; null when absent.</summary>
    public string? ResourceVersionOf(ObjectKey key)
    {
        lock (_lock)
        {
            return _objects.GetValueOrDefault(key) switch
            {
                PackedObject packed => packed.ResourceVersion,
                T obj => obj.Metadata?.ResourceVersion,
                _ => null,
            };
        }
    }

    public IReadOnlyList<T> List()
    {
        object[] stored;
        lock (_lock)
        {
            stored = [.. _objects.Values];
        }

        return Unwrap(stored);
    }

    public IReadOnlyList<T> List(string? ns)
    {
        if (string.IsNullOrEmpty(ns))
        {
            return List();
        }

        return Unwrap(Resolve(_byNamespace, ns));
    }

    /// <summary>The keys of the objects in <paramref name="ns"/> (all when null or empty); nothing is unpacked.</summary>
    public IReadOnlyList<ObjectKey> Keys(string? ns)
    {
        if (string.IsNullOrEmpty(ns))
        {
            return Keys();
        }

        lock (_lock)
        {
            return _byNamespace.Entries.TryGetValue(ns, out var keys) ? [.. keys] : [];
        }
    }

    /// <summary>The objects with an ownerReference to the object with this uid.</summary>
    public IReadOnlyList<T> OwnedBy(string ownerUid)
    {
        ArgumentException.ThrowIfNullOrEmpty(ownerUid);
        return Unwrap(Resolve(_byOwner, ownerUid));
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
            foreach (var (key, stored) in _objects)
            {
                index.Insert(key, Unwrap(stored));
            }
        }
    }

    /// <summary>The objects whose index function produced <paramref name="value"/>.</summary>
    public IReadOnlyList<T> ByIndex(string indexName, string value)
    {
        Index? index;
        lock (_lock)
        {
            index = _indexes.GetValueOrDefault(indexName);
        }

        return index is null ? throw new InvalidOperationException($"No index named '{indexName}'.") : Unwrap(Resolve(index, value));
    }

    /// <summary>Stores <paramref name="obj"/> and returns what it replaced.</summary>
    internal T? Set(T obj)
    {
        var key = ObjectKey.Of(obj);

        // Packing is the expensive part; do it before taking the lock every reader shares.
        object stored = _packWith is null ? obj : PackedObject.Pack(obj, obj.Metadata?.ResourceVersion, _packWith);
        object? old;
        lock (_lock)
        {
            _objects.TryGetValue(key, out old);
            foreach (var index in AllIndexes())
            {
                index.Remove(key);
                index.Insert(key, obj);
            }

            _objects[key] = stored;
        }

        return old is null ? null : Unwrap(old);
    }

    internal T? Remove(ObjectKey key)
    {
        object? old;
        lock (_lock)
        {
            if (!_objects.Remove(key, out old))
            {
                return null;
            }

            foreach (var index in AllIndexes())
            {
                index.Remove(key);
            }
        }

        return Unwrap(old);
    }

    private IEnumerable<Index> AllIndexes() => _indexes.Values.Append(_byNamespace).Append(_byOwner);

    private T Unwrap(object stored) => stored is PackedObject packed ? packed.Unpack(_packWith!) : (T)stored;

    private List<T> Unwrap(object[] stored) => [.. stored.Select(Unwrap)];

    private object[] Resolve(Index index, string value)
    {
        lock (_lock)
        {
            return index.Entries.TryGetValue(value, out var keys) ? [.. keys.Select(k => _objects[k])] : [];
        }
    }

    /// <summary>
    /// Index values to keys, and each key's values, so an object can leave the index without being read again
    /// (a packed object would have to be unpacked).
    /// </summary>
    private sealed class Index(Func<T, IEnumerable<string>> keysOf)
    {
        private readonly Dictionary<ObjectKey, string[]> _valuesOf = [];

        public Dictionary<string, HashSet<ObjectKey>> Entries { get; } = new(StringComparer.Ordinal);

        public void Insert(ObjectKey key, T obj)
        {
            var values = keysOf(obj).Distinct(StringComparer.Ordinal).ToArray();
            if (values.Length == 0)
            {
                return;
            }

            _valuesOf[key] = values;
            foreach (var value in values)
            {
                if (!Entries.TryGetValue(value, out var keys))
                {
                    keys = [];
                    Entries[value] = keys;
                }

                keys.Add(key);
            }
        }

        public void Remove(ObjectKey key)
        {
            if (!_valuesOf.Remove(key, out var values))
            {
                return;
            }

            foreach (var value in values)
            {
                if (Entries.TryGetValue(value, out var keys) && keys.Remove(key) && keys.Count == 0)
                {
                    Entries.Remove(value);
                }
            }
        }
    }
}
