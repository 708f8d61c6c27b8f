using System.Diagnostics.CodeAnalysis;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Observability;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drover.ControllerRuntime.Informers;

/// <summary>
/// A client-go style reflector and cache for one kind. Per namespace (or cluster-wide) it lists in pages, then
/// watches from the list's resourceVersion with bookmarks, tracking the version from every event. A broken, ended
/// or silent stream resumes from the last version without relisting; only an expired version (410) relists, and the
/// relist is diffed against the cache so vanished objects are reported deleted and unchanged ones not at all.
/// Events for one object reach handlers in order and once: an event whose resourceVersion the cache already holds
/// is dropped.
/// An object that cannot be read as <typeparamref name="T"/> (a value the C# type cannot hold, an index function
/// that throws on it) is skipped: counted, logged once per version, and passed over. The list still syncs and the
/// watch resumes after it, so one tenant's bad object cannot stop the informer for everyone. If an object that was
/// readable becomes unreadable, the cache keeps serving its last readable version: an unreadable object is not a
/// deleted one, and handing controllers a deletion would have them tear down what it owns on a single bad write.
/// A later readable version replaces it, and a delete removes it.
/// A client-side selection (<c>select</c>) narrows the cache further than any label or field selector can, by what
/// an object's status says; it behaves as a server-side selector does (see the constructor).
/// </summary>
public sealed class Informer<T> : IInformer, IResourceEvents<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly KubeApiClient _client;
    private readonly ResourceKind<T> _kind;
    private readonly InformerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Func<T, bool>? _select;
    private readonly Lock _dispatchLock = new();
    private readonly List<ResourceChangeHandler<T>> _handlers = [];
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<string> _syncedScopes = [];

    // Objects whose latest version could not be read, and that version; guarded by _dispatchLock.
    private readonly Dictionary<ObjectKey, string?> _undecodable = [];
    private long _startedAt;
    private long _lastProgress;
    private long _brokenSince;
    private long _watchRestarts;
    private long _relists;

    /// <summary>Creates an informer; it lists and watches once <see cref="RunAsync"/> is called.</summary>
    /// <param name="client">The API server to list and watch.</param>
    /// <param name="kind">The resource.</param>
    /// <param name="options">Namespaces, server-side selectors, packing and timing.</param>
    /// <param name="logger">Where list, watch and skip messages go.</param>
    /// <param name="time">The clock for backoff and the idle watchdog.</param>
    /// <param name="select">
    /// Which of the listed and watched objects to hold (null: all). An object it rejects is treated as the API server
    /// treats one outside a label selector: never cached nor reported; one that stops being selected is reported deleted
    /// (with its new state), and one that starts being selected is reported added. The stream still carries every object,
    /// so this saves memory, not traffic: it is for a cache of the few objects in some state, out of many.
    /// </param>
    public Informer(KubeApiClient client, ResourceKind<T> kind, InformerOptions? options = null, ILogger? logger = null, TimeProvider? time = null, Func<T, bool>? select = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(kind);
        _client = client;
        _kind = kind;
        _options = options ?? new InformerOptions();
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _select = select;
        Cache = new InformerCache<T>(_options.PackObjects ? kind.TypeInfo : null);
        _startedAt = _time.GetTimestamp();
        _lastProgress = _startedAt;
    }

    public string Name => _kind.Resource;

    public string Group => _kind.Group;

    public string Resource => _kind.Plural;

    public bool Namespaced => _kind.Namespaced;

    public ResourceKind<T> Kind => _kind;

    public InformerCache<T> Cache { get; }

    public Task HasSynced => _synced.Task;

    public bool IsSynced => _synced.Task.IsCompletedSuccessfully;

    /// <summary>Watch streams re-opened after ending, breaking or going silent (not counting relists).</summary>
    public long WatchRestarts => Interlocked.Read(ref _watchRestarts);

    /// <summary>Full lists made, including the first per namespace.</summary>
    public long Relists => Interlocked.Read(ref _relists);

    /// <summary>Objects whose latest version could not be read, with that version; the cache holds their last readable one, if any.</summary>
    public IReadOnlyDictionary<ObjectKey, string?> Undecodable
    {
        get
        {
            lock (_dispatchLock)
            {
                return new Dictionary<ObjectKey, string?>(_undecodable);
            }
        }
    }

    public void AddIndex(string name, Func<T, IEnumerable<string>> keysOf) => Cache.AddIndex(name, keysOf);

    /// <summary>
    /// Subscribes to changes. Objects already cached are replayed to the new handler as added, under the same lock
    /// that orders live events, so a late subscriber misses nothing and sees nothing twice.
    /// </summary>
    public void AddHandler(ResourceChangeHandler<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_dispatchLock)
        {
            _handlers.Add(handler);
            if (handler.OnAdded is { } onAdded)
            {
                foreach (var obj in Cache.List())
                {
                    Invoke(() => onAdded(obj));
                }
            }
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _startedAt = _time.GetTimestamp();
        _lastProgress = _startedAt;
        IReadOnlyList<string> scopes = _options.Namespaces.Count == 0 ? [string.Empty] : _options.Namespaces;
        await Task.WhenAll(scopes.Select(ns => Task.Run(() => RunScopeAsync(ns, cancellationToken), CancellationToken.None)));
    }

    public InformerHealth GetHealth(TimeSpan threshold)
    {
        var now = _time.GetTimestamp();
        var sinceProgress = _time.GetElapsedTime(Interlocked.Read(ref _lastProgress), now);
        var brokenSince = Interlocked.Read(ref _brokenSince);
        if (!IsSynced && sinceProgress > threshold)
        {
            return new InformerHealth(Name, false, true, $"not synced and no list/watch progress for {sinceProgress:g}");
        }

        if (brokenSince != 0 && _time.GetElapsedTime(brokenSince, now) > threshold)
        {
            return new InformerHealth(Name, IsSynced, true, $"watch broken for {_time.GetElapsedTime(brokenSince, now):g}");
        }

        return new InformerHealth(Name, IsSynced, false, IsSynced ? "synced" : "syncing");
    }

    private async Task RunScopeAsync(string ns, CancellationToken cancellationToken)
    {
        string? resourceVersion = null;
        var needList = true;
        var backoff = _options.MinBackoff;
        var justListed = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (needList)
                {
                    resourceVersion = await ListAndReplaceAsync(ns, cancellationToken);
                    needList = false;
                    justListed = true;
                    MarkSynced(ns);
                }

                var progressed = await WatchAsync(ns, resourceVersion, v => resourceVersion = v, cancellationToken);
                if (progressed)
                {
                    backoff = _options.MinBackoff;
                    justListed = false;
                }

                CountRestart();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (KubeApiException e) when (e.IsExpired)
            {
                InformerLog.Expired(_logger, Name, ns, resourceVersion);
                needList = true;

                // Expiring again straight after a relist means the server cannot serve our versions: do not hammer it.
                if (justListed && !await BackOffAsync(e, ns, backoff, cancellationToken))
                {
                    return;
                }

                backoff = justListed ? Doubled(backoff) : backoff;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Interlocked.CompareExchange(ref _brokenSince, _time.GetTimestamp(), 0);
                if (!await BackOffAsync(e, ns, backoff, cancellationToken))
                {
                    return;
                }

                backoff = Doubled(backoff);
                if (!needList)
                {
                    CountRestart();
                }
            }
        }
    }

    private async Task<bool> BackOffAsync(Exception error, string ns, TimeSpan backoff, CancellationToken cancellationToken)
    {
        var delay = Jitter(backoff);
        InformerLog.WatchFailed(_logger, error, Name, ns, delay);
        try
        {
            await Task.Delay(delay, _time, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private TimeSpan Doubled(TimeSpan backoff) => TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));

    private async Task<string?> ListAndReplaceAsync(string ns, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _relists);
        RuntimeMetrics.Relists.WithLabels(Name).Inc();
        var items = new List<T>();
        var unreadable = new List<UndecodableObject>();
        string? continueToken = null;
        string? resourceVersion;
        do
        {
            var page = await _client.ListAsync(
                _kind,
                ns,
                new ListOptions
                {
                    LabelSelector = _options.LabelSelector,
                    FieldSelector = _options.FieldSelector,
                    Limit = _options.PageSize,
                    Continue = continueToken,
                },
                cancellationToken);
            items.AddRange(page.Items);
            unreadable.AddRange(page.Undecodable);
            resourceVersion = page.ResourceVersion;
            continueToken = page.Continue;
            Progress();
        }
        while (continueToken is not null);

        InformerLog.Listed(_logger, Name, ns, items.Count, resourceVersion);
        lock (_dispatchLock)
        {
            var listed = new HashSet<ObjectKey>();
            foreach (var obj in items)
            {
                listed.Add(ObjectKey.Of(obj));
                Upsert(obj);
            }

            // An unreadable object still exists: its last readable version, if cached, is not a deletion.
            foreach (var bad in unreadable)
            {
                if (bad.Key is { } key)
                {
                    listed.Add(key);
                }

                Skip(bad);
            }

            foreach (var key in Cache.Keys(ns.Length == 0 ? null : ns))
            {
                if (!listed.Contains(key))
                {
                    var removed = Cache.Remove(key);
                    if (removed is not null)
                    {
                        Dispatch(h => h.OnDeleted?.Invoke(removed));
                    }
                }
            }

            foreach (var key in _undecodable.Keys.Where(k => InScope(k, ns) && !listed.Contains(k)).ToList())
            {
                _undecodable.Remove(key);
            }

            ReportUndecodable();

            ReportCacheSize();
        }

        return resourceVersion;
    }

    /// <summary>One watch stream; returns whether it delivered anything. Throws on errors, including 410 Expired.</summary>
    private async Task<bool> WatchAsync(string ns, string? resourceVersion, Action<string> advance, CancellationToken cancellationToken)
    {
        using var idle = new CancellationTokenSource(_options.StreamIdleTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
        var delivered = false;
        try
        {
            var options = new ListOptions { LabelSelector = _options.LabelSelector, FieldSelector = _options.FieldSelector };
            await foreach (var watchEvent in _client.WatchAsync(_kind, ns, resourceVersion, options, _options.WatchTimeout, OnConnected, linked.Token))
            {
                idle.CancelAfter(_options.StreamIdleTimeout);
                delivered = true;
                Progress();
                RuntimeMetrics.EventsReceived.WithLabels(Name, watchEvent.Kind.ToString()).Inc();
                Apply(watchEvent);
                if (!string.IsNullOrEmpty(watchEvent.ResourceVersion))
                {
                    advance(watchEvent.ResourceVersion);
                }
            }
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            InformerLog.WatchSilent(_logger, Name, ns, _options.StreamIdleTimeout);
        }

        return delivered;
    }

    private void OnConnected()
    {
        Interlocked.Exchange(ref _brokenSince, 0);
        Progress();
    }

    private void Apply(WatchEvent<T> watchEvent)
    {
        if (watchEvent.Undecodable is { } bad)
        {
            ApplyUndecodable(watchEvent.Kind, bad);
            return;
        }

        if (watchEvent.Object is not { } obj)
        {
            return;
        }

        lock (_dispatchLock)
        {
            switch (watchEvent.Kind)
            {
                case WatchEventKind.Added:
                case WatchEventKind.Modified:
                    Upsert(obj);
                    break;
                case WatchEventKind.Deleted:
                    // Handlers get the event's final state, so the cached copy need not be unpacked.
                    var key = ObjectKey.Of(obj);
                    if (_undecodable.Remove(key))
                    {
                        ReportUndecodable();
                    }

                    if (Cache.Delete(key))
                    {
                        Dispatch(h => h.OnDeleted?.Invoke(obj));
                    }

                    break;
            }

            ReportCacheSize();
        }
    }

    private void ApplyUndecodable(WatchEventKind kind, UndecodableObject bad)
    {
        lock (_dispatchLock)
        {
            if (kind == WatchEventKind.Deleted && bad.Key is { } key)
            {
                // Which object went is all a delete needs, and the metadata said that: handlers get the cached copy.
                if (_undecodable.Remove(key))
                {
                    ReportUndecodable();
                }

                if (Cache.Remove(key) is { } removed)
                {
                    Dispatch(h => h.OnDeleted?.Invoke(removed));
                    ReportCacheSize();
                }

                return;
            }

            Skip(bad);
        }
    }

    /// <summary>Counts an unreadable object and logs it once per version; the cache keeps what it had. Under the dispatch lock.</summary>
    private void Skip(UndecodableObject bad)
    {
        RuntimeMetrics.DecodeErrors.WithLabels(Name).Inc();
        var first = true;
        var cached = false;
        if (bad.Key is { } key)
        {
            first = !_undecodable.TryGetValue(key, out var seen) || seen != bad.ResourceVersion;
            _undecodable[key] = bad.ResourceVersion;
            cached = Cache.ResourceVersionOf(key) is not null;
            ReportUndecodable();
        }

        if (first)
        {
            InformerLog.Undecodable(
                _logger,
                Name,
                bad.Description,
                bad.ResourceVersion,
                bad.Error,
                cached ? "the cache keeps its last readable version" : "it is not in the cache");
        }
    }

    private static bool InScope(ObjectKey key, string ns) => ns.Length == 0 || key.Namespace == ns;

    private void ReportUndecodable() => RuntimeMetrics.UndecodableObjects.WithLabels(Name).Set(_undecodable.Count);

    /// <summary>Stores an object and tells handlers, unless the cache already holds this exact version.</summary>
    private void Upsert(T obj)
    {
        if (_options.StripManagedFields && obj.Metadata is { } metadata)
        {
            metadata.ManagedFields = null;
        }

        var key = ObjectKey.Of(obj);
        if (Cache.ResourceVersionOf(key) is { } cachedVersion && cachedVersion == obj.Metadata?.ResourceVersion)
        {
            return;
        }

        if (_select is not null && Selected(obj, out var selectionError) is not true)
        {
            if (selectionError is not null)
            {
                // Like an object an index function cannot read: skipped, and the cache keeps what it had.
                Skip(new UndecodableObject(key.Namespace, key.Name, obj.Metadata?.ResourceVersion, selectionError));
                return;
            }

            if (_undecodable.Remove(key))
            {
                ReportUndecodable();
            }

            if (Cache.Delete(key))
            {
                Dispatch(h => h.OnDeleted?.Invoke(obj));
            }

            return;
        }

        T? cached;
        try
        {
            cached = Cache.Set(obj);
        }
        catch (IndexFunctionException e)
        {
            Skip(new UndecodableObject(key.Namespace, key.Name, obj.Metadata?.ResourceVersion, e.Message));
            return;
        }

        if (_undecodable.Remove(key))
        {
            ReportUndecodable();
        }
        if (cached is null)
        {
            Dispatch(h => h.OnAdded?.Invoke(obj));
        }
        else
        {
            Dispatch(h => h.OnUpdated?.Invoke(cached, obj));
        }
    }

    /// <summary>Whether the client-side selection holds <paramref name="obj"/>; null when it cannot judge it (it threw).</summary>
    [SuppressMessage("Design", "CA1031", Justification = "A selection that throws on one object must not stop the stream.")]
    private bool? Selected(T obj, out string? error)
    {
        error = null;
        try
        {
            return _select!(obj);
        }
        catch (Exception e)
        {
            error = $"the informer's selection failed on it: {e.Message}";
            return null;
        }
    }

    private void ReportCacheSize()
    {
        RuntimeMetrics.CachedObjects.WithLabels(Name).Set(Cache.Count);
        RuntimeMetrics.CachedPackedBytes.WithLabels(Name).Set(Cache.PackedBytes);
    }

    private void Dispatch(Action<ResourceChangeHandler<T>> call)
    {
        foreach (var handler in _handlers)
        {
            Invoke(() => call(handler));
        }
    }

    [SuppressMessage("Design", "CA1031", Justification = "A failing handler must not stop the informer or starve other handlers.")]
    private void Invoke(Action call)
    {
        try
        {
            call();
        }
        catch (Exception e)
        {
            InformerLog.HandlerFailed(_logger, e, Name);
        }
    }

    private void MarkSynced(string ns)
    {
        lock (_syncedScopes)
        {
            _syncedScopes.Add(ns);
            var expected = _options.Namespaces.Count == 0 ? 1 : _options.Namespaces.Distinct().Count();
            if (_syncedScopes.Count >= expected)
            {
                _synced.TrySetResult();
            }
        }
    }

    private void CountRestart()
    {
        Interlocked.Increment(ref _watchRestarts);
        RuntimeMetrics.WatchRestarts.WithLabels(Name).Inc();
    }

    private void Progress() => Interlocked.Exchange(ref _lastProgress, _time.GetTimestamp());

    [SuppressMessage("Security", "CA5394", Justification = "Jitter spreads reconnects; it protects nothing.")]
    private static TimeSpan Jitter(TimeSpan delay) => delay + TimeSpan.FromTicks((long)(delay.Ticks * 0.5 * Random.Shared.NextDouble()));
}
