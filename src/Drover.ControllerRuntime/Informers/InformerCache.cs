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
            return [.. _objects.Values.Where(o => o.Metadata?.NamespaceProperty == ns)];
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

            return index.Entries.TryGetValue(value, out var keys)
                ? [.. keys.Select(k => _objects[k])]
                : [];
        }
    }

    /// <summary>Stores <paramref name="obj"/> and returns what it replaced.</summary>
    internal T? Set(T obj)
    {
        var key = ObjectKey.Of(obj);
        lock (_lock)
        {
            _objects.TryGetValue(key, out var old);
            foreach (var index in _indexes.Values)
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

            foreach (var index in _indexes.Values)
            {
                index.Remove(key, old);
            }

            return old;
        }
    }

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
