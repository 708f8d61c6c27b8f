using Drover.ControllerRuntime.Client;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drover.ControllerRuntime.Informers;

/// <summary>
/// Caches only the objects that something refers to by name, rather than every object of the kind in the cluster.
/// Each referenced object gets an informer of its own, listing and watching just that name in its namespace
/// (<c>fieldSelector=metadata.name=...</c>); it starts when the first reference to the object appears
/// (<see cref="Follow{TReferrer}"/>) and stops when the last one goes. Handlers see every referenced object's events.
/// </summary>
/// <remarks>
/// One watch per referenced object suits what controllers refer to by name: a handful of ConfigMaps and Services, not
/// thousands (an HTTP/2 connection to the API server carries them all). A reconcile that reads a reference waits
/// for it with <see cref="WaitForAsync"/>, so an object that exists is never reported missing because its informer
/// had not listed it yet.
/// </remarks>
public sealed class ReferencedObjects<T> : IInformer, IResourceEvents<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly KubeApiClient _client;
    private readonly ResourceKind<T> _kind;
    private readonly InformerOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<ObjectKey, Tracked> _tracked = [];
    private readonly List<ResourceChangeHandler<T>> _handlers = [];
    private readonly TaskCompletionSource _running = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationToken _stopping = CancellationToken.None;

    /// <param name="client">The API client.</param>
    /// <param name="kind">The kind referred to.</param>
    /// <param name="options">
    /// Options for each object's informer (packing, managed fields); its namespaces, when given, bound which
    /// references are followed at all, and its selectors are replaced by the object's name.
    /// </param>
    /// <param name="logger">Where the informers log.</param>
    public ReferencedObjects(KubeApiClient client, ResourceKind<T> kind, InformerOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(kind);
        _client = client;
        _kind = kind;
        _options = options ?? new InformerOptions();
        _logger = logger ?? NullLogger.Instance;
    }

    public string Name => _kind.Resource + " (referenced)";

    public string Group => _kind.Group;

    public string Resource => _kind.Plural;

    public bool Namespaced => _kind.Namespaced;

    public ResourceKind<T> Kind => _kind;

    /// <summary>Always complete: what is referenced is read with <see cref="WaitForAsync"/>.</summary>
    public Task HasSynced => Task.CompletedTask;

    public bool IsSynced => true;

    /// <summary>How many objects are referenced now (each with its own list and watch).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _tracked.Count;
            }
        }
    }

    /// <summary>
    /// Tracks what each object of <paramref name="referrers"/> refers to: an added or updated referrer starts the
    /// informers of its new references and releases those it dropped; a deleted one releases all of its own.
    /// </summary>
    public void Follow<TReferrer>(IResourceEvents<TReferrer> referrers, Func<TReferrer, IEnumerable<ObjectKey>> references)
        where TReferrer : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(referrers);
        ArgumentNullException.ThrowIfNull(references);
        referrers.AddHandler(new ResourceChangeHandler<TReferrer>
        {
            OnAdded = referrer => Retain(references(referrer)),
            OnUpdated = (old, current) =>
            {
                var before = references(old).ToHashSet();
                var after = references(current).ToHashSet();
                Retain(after.Except(before));
                Release(before.Except(after));
            },
            OnDeleted = referrer => Release(references(referrer)),
        });
    }

    /// <summary>The referenced object of that name, as cached; null when it does not exist or is not referenced.</summary>
    public T? Get(string? ns, string name)
    {
        Tracked? tracked;
        lock (_lock)
        {
            tracked = _tracked.GetValueOrDefault(new ObjectKey(string.IsNullOrEmpty(ns) ? null : ns, name));
        }

        return tracked?.Informer.Cache.Get(ns, name);
    }

    /// <summary>
    /// Waits until the informer of every referenced key in <paramref name="keys"/> has listed its object once, or
    /// <paramref name="timeout"/> passes (then the cache answers with what it has). Keys nothing refers to are skipped.
    /// </summary>
    public async Task WaitForAsync(IEnumerable<ObjectKey> keys, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        List<Task> pending;
        lock (_lock)
        {
            pending = [.. keys.Select(k => _tracked.GetValueOrDefault(k)?.Informer.HasSynced).OfType<Task>().Where(t => !t.IsCompleted)];
        }

        if (pending.Count > 0)
        {
            try
            {
                await Task.WhenAll(pending).WaitAsync(timeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Read what there is; the object's own events bring the referrer back when it arrives.
            }
        }
    }

    public void AddHandler(ResourceChangeHandler<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        List<Tracked> current;
        lock (_lock)
        {
            _handlers.Add(handler);
            current = [.. _tracked.Values];
        }

        foreach (var tracked in current)
        {
            tracked.Informer.AddHandler(handler);
        }
    }

    /// <summary>Runs the informers of what is referenced until cancelled; references followed before this starts wait for it.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        List<Tracked> waiting;
        lock (_lock)
        {
            _stopping = cancellationToken;
            waiting = [.. _tracked.Values];
            _running.TrySetResult();
        }

        foreach (var tracked in waiting)
        {
            Start(tracked);
        }

        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public InformerHealth GetHealth(TimeSpan threshold)
    {
        List<Tracked> current;
        lock (_lock)
        {
            current = [.. _tracked.Values];
        }

        var stuck = current.Select(t => t.Informer.GetHealth(threshold)).FirstOrDefault(h => h.Stuck);
        return stuck is null
            ? new InformerHealth(Name, true, false, $"{current.Count} referenced")
            : new InformerHealth(Name, true, true, $"{stuck.Name}: {stuck.Description}");
    }

    private void Retain(IEnumerable<ObjectKey> keys)
    {
        foreach (var key in keys.Distinct())
        {
            if (_options.Namespaces.Count > 0 && !_options.Namespaces.Contains(key.Namespace ?? string.Empty))
            {
                continue;
            }

            Tracked? started = null;
            lock (_lock)
            {
                if (_tracked.TryGetValue(key, out var existing))
                {
                    existing.References++;
                    continue;
                }

                var options = _options with
                {
                    Namespaces = [key.Namespace ?? string.Empty],
                    LabelSelector = null,
                    FieldSelector = "metadata.name=" + key.Name,
                };
                var tracked = new Tracked(new Informer<T>(_client, _kind, options, _logger));
                foreach (var handler in _handlers)
                {
                    tracked.Informer.AddHandler(handler);
                }

                _tracked[key] = tracked;
                if (_running.Task.IsCompleted)
                {
                    started = tracked;
                }
            }

            if (started is not null)
            {
                Start(started);
            }
        }
    }

    private void Release(IEnumerable<ObjectKey> keys)
    {
        foreach (var key in keys.Distinct())
        {
            Tracked? stopped = null;
            lock (_lock)
            {
                if (_tracked.TryGetValue(key, out var tracked) && --tracked.References == 0)
                {
                    _tracked.Remove(key);
                    stopped = tracked;
                }
            }

            stopped?.Stop();
        }
    }

    private void Start(Tracked tracked)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        if (!tracked.Attach(stop))
        {
            stop.Dispose();
            return;
        }

        _ = Task.Run(() => tracked.Informer.RunAsync(stop.Token), CancellationToken.None);
    }

    private sealed class Tracked(Informer<T> informer)
    {
        private readonly Lock _lock = new();
        private CancellationTokenSource? _stop;
        private bool _stopped;

        public Informer<T> Informer { get; } = informer;

        public int References { get; set; } = 1;

        public bool Attach(CancellationTokenSource stop)
        {
            lock (_lock)
            {
                if (_stopped || _stop is not null)
                {
                    return false;
                }

                _stop = stop;
                return true;
            }
        }

        public void Stop()
        {
            CancellationTokenSource? stop;
            lock (_lock)
            {
                _stopped = true;
                stop = _stop;
            }

            if (stop is not null)
            {
                stop.Cancel();
                stop.Dispose();
            }
        }
    }
}
