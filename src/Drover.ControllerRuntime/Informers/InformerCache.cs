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
    private long _packedBytes;
    private readonly Dictionary<string, Index> _indexes = new(StringComparer.Ordinal);

    // Built in, because every controller asks "what is in this namespace" and "what does this owner own" on its hot
    // path; a scan of the whole cache there makes each reconcile cost grow with the fleet.
    private readonly Index _byNamespace = Index.ByNamespace();
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

    /// <summary>The compressed size of every packed object; 0 for a cache of typed objects.</summary>
    public long PackedBytes
    {
        get
        {
            lock (_lock)
            {
                return _packedBytes;
            }
        }
    }

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

    public T? Get(string? ns, string name) => Get(KeyOf(ns, name));

    public T? Get(ObjectKey key)
    {
        object? stored;
        lock (_lock)
        {
            stored = _objects.GetValueOrDefault(key);
        }

        return stored is null ? null : Unwrap(stored);
    }

    /// <summary>Whether the cache holds the object, without unpacking it.</summary>
    public bool Contains(string? ns, string name)
    {
        var key = KeyOf(ns, name);
        lock (_lock)
        {
            return _objects.ContainsKey(key);
        }
    }

    // An empty namespace is a cluster-scoped object's, keyed with none.
    private static ObjectKey KeyOf(string? ns, string name) => new(string.IsNullOrEmpty(ns) ? null : ns, name);

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

    /// <summary>
    /// Whether the cached object, as it is now, carries <paramref name="mark"/> (<see cref="SetMark"/>). Answered without
    /// unpacking; always false in a cache of typed objects, whose reads cost nothing to repeat.
    /// </summary>
    public bool HasMark(string? ns, string name, ulong mark)
    {
        var key = KeyOf(ns, name);
        lock (_lock)
        {
            return mark != 0 && _objects.GetValueOrDefault(key) is PackedObject packed && packed.Mark == mark;
        }
    }

    /// <summary>
    /// Notes <paramref name="mark"/> on the cached object while it is still at <paramref name="resourceVersion"/>, the version
    /// the caller read and judged; any later version starts without one. A reader uses it to remember a conclusion it drew
    /// from this version (the applier: "it already holds this desired body") so that it need not unpack the object again.
    /// </summary>
    public void SetMark(string? ns, string name, string? resourceVersion, ulong mark)
    {
        var key = KeyOf(ns, name);
        lock (_lock)
        {
            if (resourceVersion is not null && _objects.GetValueOrDefault(key) is PackedObject packed && packed.ResourceVersion == resourceVersion)
            {
                packed.Mark = mark;
            }
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
            return _byNamespace.Lookup(ns);
        }
    }

    /// <summary>The objects with an ownerReference to the object with this uid.</summary>
    public IReadOnlyList<T> OwnedBy(string ownerUid)
    {
        ArgumentException.ThrowIfNullOrEmpty(ownerUid);
        return Unwrap(Resolve(_byOwner, ownerUid));
    }

    /// <summary>The keys of the objects with an ownerReference to the object with this uid; nothing is unpacked.</summary>
    public IReadOnlyList<ObjectKey> KeysOwnedBy(string ownerUid)
    {
        ArgumentException.ThrowIfNullOrEmpty(ownerUid);
        lock (_lock)
        {
            return _byOwner.Lookup(ownerUid);
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
            foreach (var (key, stored) in _objects)
            {
                index.Insert(key, index.ValuesOf(key, Unwrap(stored)));
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

    /// <summary>The keys of the objects whose index function produced <paramref name="value"/>; nothing is unpacked.</summary>
    public IReadOnlyList<ObjectKey> KeysByIndex(string indexName, string value)
    {
        lock (_lock)
        {
            return _indexes.TryGetValue(indexName, out var index)
                ? index.Lookup(value)
                : throw new InvalidOperationException($"No index named '{indexName}'.");
        }
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
            // Every index value is computed before anything changes: an index function that throws on this object
            // leaves the cache as it was instead of half-indexed.
            var entries = new List<(Index Index, string[] Values)>(_indexes.Count + 2);
            foreach (var (name, index) in AllNamedIndexes())
            {
                try
                {
                    entries.Add((index, index.ValuesOf(key, obj)));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    throw new IndexFunctionException($"index \"{name}\" failed on this object: {e.Message}", e);
                }
            }

            _objects.TryGetValue(key, out old);
            _packedBytes += SizeOf(stored) - SizeOf(old);
            foreach (var (index, values) in entries)
            {
                index.Remove(key);
                index.Insert(key, values);
            }

            _objects[key] = stored;
        }

        return old is null ? null : Unwrap(old);
    }

    /// <summary>Removes the object and returns it as it was cached; null when absent.</summary>
    internal T? Remove(ObjectKey key) => RemoveStored(key) is { } old ? Unwrap(old) : null;

    /// <summary>Removes the object and says whether it was there, without unpacking it.</summary>
    internal bool Delete(ObjectKey key) => RemoveStored(key) is not null;

    private object? RemoveStored(ObjectKey key)
    {
        lock (_lock)
        {
            if (!_objects.Remove(key, out var old))
            {
                return null;
            }

            _packedBytes -= SizeOf(old);
            foreach (var index in AllIndexes())
            {
                index.Remove(key);
            }

            return old;
        }
    }

    private IEnumerable<Index> AllIndexes() => _indexes.Values.Append(_byNamespace).Append(_byOwner);

    private IEnumerable<KeyValuePair<string, Index>> AllNamedIndexes() =>
        _indexes.Append(new("namespace", _byNamespace)).Append(new("owner", _byOwner));

    private static long SizeOf(object? stored) => stored is PackedObject packed ? packed.PackedBytes : 0;

    private T Unwrap(object stored) => stored is PackedObject packed ? packed.Unpack(_packWith!) : (T)stored;

    private List<T> Unwrap(object[] stored) => [.. stored.Select(Unwrap)];

    private object[] Resolve(Index index, string value)
    {
        lock (_lock)
        {
            return [.. index.Lookup(value).Select(k => _objects[k])];
        }
    }

    /// <summary>
    /// Index values to keys, and each key's values, so an object can leave the index without being read again
    /// (a packed object would have to be unpacked). Most values map to one key and most keys have one value, so
    /// both sides store a single item directly and only grow a set or an array when there are more: in a fleet of
    /// 10,000 agents the owner index alone would otherwise hold some 50,000 one-item sets.
    /// </summary>
    private sealed class Index
    {
        private readonly Func<T, IEnumerable<string>>? _valuesOf;

        // Value -> ObjectKey (boxed) or HashSet<ObjectKey>.
        private readonly Dictionary<string, object> _entries = new(StringComparer.Ordinal);

        // Key -> string or string[]; not kept when values come from the key itself.
        private readonly Dictionary<ObjectKey, object> _valuesByKey = [];

        public Index(Func<T, IEnumerable<string>> valuesOf)
        {
            _valuesOf = valuesOf;
        }

        // The namespace index: its value is part of the key, so nothing per key needs remembering.
        private Index()
        {
        }

        public static Index ByNamespace() => new();

        public ObjectKey[] Lookup(string value) =>
            _entries.GetValueOrDefault(value) switch
            {
                ObjectKey single => [single],
                HashSet<ObjectKey> many => [.. many],
                _ => [],
            };

        /// <summary>The values <paramref name="obj"/> is indexed under; calls the index function, which may throw.</summary>
        public string[] ValuesOf(ObjectKey key, T obj) =>
            _valuesOf is null ? [key.Namespace ?? string.Empty] : [.. _valuesOf(obj).Distinct(StringComparer.Ordinal)];

        public void Insert(ObjectKey key, string[] values)
        {
            if (_valuesOf is null)
            {
                Add(values[0], key);
                return;
            }

            if (values.Length == 0)
            {
                return;
            }

            _valuesByKey[key] = values.Length == 1 ? values[0] : values;
            foreach (var value in values)
            {
                Add(value, key);
            }
        }

        public void Remove(ObjectKey key)
        {
            if (_valuesOf is null)
            {
                Drop(key.Namespace ?? string.Empty, key);
                return;
            }

            if (!_valuesByKey.Remove(key, out var values))
            {
                return;
            }

            if (values is string single)
            {
                Drop(single, key);
                return;
            }

            foreach (var value in (string[])values)
            {
                Drop(value, key);
            }
        }

        private void Add(string value, ObjectKey key)
        {
            switch (_entries.GetValueOrDefault(value))
            {
                case null:
                    _entries[value] = key;
                    break;
                case ObjectKey single when single != key:
                    _entries[value] = new HashSet<ObjectKey> { single, key };
                    break;
                case HashSet<ObjectKey> many:
                    many.Add(key);
                    break;
            }
        }

        private void Drop(string value, ObjectKey key)
        {
            switch (_entries.GetValueOrDefault(value))
            {
                case ObjectKey single when single == key:
                    _entries.Remove(value);
                    break;
                case HashSet<ObjectKey> many when many.Remove(key):
                    if (many.Count == 1)
                    {
                        _entries[value] = many.First();
                    }

                    break;
            }
        }
    }
}

/// <summary>An index function threw on an object; the cache was left unchanged.</summary>
internal sealed class IndexFunctionException(string message, Exception innerException) : Exception(message, innerException);
