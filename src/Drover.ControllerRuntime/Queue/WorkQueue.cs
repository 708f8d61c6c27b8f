using System.Diagnostics.CodeAnalysis;
using Drover.ControllerRuntime.Observability;

namespace Drover.ControllerRuntime.Queue;

/// <summary>What <see cref="WorkQueue{TKey}.GetAsync"/> hands a worker: a key, or the news that the queue is shut down.</summary>
public readonly record struct QueueItem<TKey>(TKey Key, bool ShuttingDown);

/// <summary>
/// client-go's rate-limited work queue. A key is queued at most once (dedupe); a key handed to a worker is not handed
/// to another until <see cref="Done"/> (a re-add while processing marks it dirty and queues it after Done); failures
/// back off per key through the rate limiter; <see cref="AddAfter"/> delays an add on the injected clock.
/// After shut down adds are ignored, queued keys are still handed out, then workers are told to stop.
/// A delay is never longer than <see cref="MaxDelay"/>: a key asked to wait months is looked at again then, which
/// costs one early reconcile, rather than a timer .NET refuses (about 49.7 days is its limit).
/// </summary>
[SuppressMessage("Naming", "CA1711", Justification = "It is a queue; the name is client-go's.")]
public sealed class WorkQueue<TKey> : IDisposable
    where TKey : notnull
{
    private readonly Lock _lock = new();
    private readonly Queue<TKey> _queue = new();
    private readonly HashSet<TKey> _dirty = [];
    private readonly HashSet<TKey> _processing = [];
    private readonly Dictionary<TKey, long> _queuedAt = [];
    private readonly Dictionary<TKey, long> _startedAt = [];
    private readonly Dictionary<TKey, Delayed> _delayed = [];
    private readonly List<TaskCompletionSource> _waiters = [];
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeProvider _time;
    private readonly IRateLimiter<TKey> _rateLimiter;
    private readonly string _name;
    private bool _shuttingDown;

    /// <param name="name">Names the queue in metrics.</param>
    /// <param name="time">The clock delays run on.</param>
    /// <param name="rateLimiter">Backoff for <see cref="AddRateLimited"/>; client-go's defaults when null.</param>
    /// <param name="maxDelay">The longest any delay may be; longer ones are shortened to it. Defaults to (and is capped at) <see cref="TimerLimits.MaxDelay"/>.</param>
    public WorkQueue(string name, TimeProvider? time = null, IRateLimiter<TKey>? rateLimiter = null, TimeSpan? maxDelay = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (maxDelay is { } max && max <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDelay), max, "The longest delay must be positive.");
        }

        _name = name;
        _time = time ?? TimeProvider.System;
        _rateLimiter = rateLimiter ?? DefaultRateLimiter.Create<TKey>(_time);
        MaxDelay = maxDelay is { } m && m < TimerLimits.MaxDelay ? m : TimerLimits.MaxDelay;
    }

    public string Name => _name;

    /// <summary>Delays longer than this are shortened to it.</summary>
    public TimeSpan MaxDelay { get; }

    /// <summary>Keys waiting to be handed out (not counting those in processing or delayed).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Keys scheduled by <see cref="AddAfter"/> or <see cref="AddRateLimited"/> whose time has not come.</summary>
    public int DelayedCount
    {
        get
        {
            lock (_lock)
            {
                return _delayed.Count;
            }
        }
    }

    public bool IsShuttingDown
    {
        get
        {
            lock (_lock)
            {
                return _shuttingDown;
            }
        }
    }

    public void Add(TKey key)
    {
        List<TaskCompletionSource>? wake = null;
        lock (_lock)
        {
            if (_shuttingDown || !_dirty.Add(key))
            {
                return;
            }

            RuntimeMetrics.QueueAdds.WithLabels(_name).Inc();
            _queuedAt.TryAdd(key, _time.GetTimestamp());
            if (_processing.Contains(key))
            {
                return;
            }

            _queue.Enqueue(key);
            RuntimeMetrics.QueueDepth.WithLabels(_name).Set(_queue.Count);
            wake = TakeWaiters();
        }

        Wake(wake);
    }

    /// <summary>
    /// Adds <paramref name="key"/> once <paramref name="delay"/> (at most <see cref="MaxDelay"/>) has passed; an earlier
    /// pending schedule wins.
    /// </summary>
    public void AddAfter(TKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        if (delay > MaxDelay)
        {
            delay = MaxDelay;
        }

        lock (_lock)
        {
            if (_shuttingDown)
            {
                return;
            }

            var due = _time.GetTimestamp() + (long)(delay.TotalSeconds * _time.TimestampFrequency);
            if (_delayed.TryGetValue(key, out var existing))
            {
                if (existing.Due <= due)
                {
                    return;
                }

                existing.Timer.Dispose();
            }

            var entry = new Delayed(due);
            entry.Timer = _time.CreateTimer(_ => Fire(key, entry), null, delay, Timeout.InfiniteTimeSpan);
            _delayed[key] = entry;
        }
    }

    /// <summary>Re-adds a key that failed, after the rate limiter's delay (per-key backoff, overall bucket).</summary>
    public void AddRateLimited(TKey key)
    {
        RuntimeMetrics.QueueRetries.WithLabels(_name).Inc();
        AddAfter(key, _rateLimiter.When(key));
    }

    /// <summary>Resets the backoff of a key that succeeded (or that will not be retried).</summary>
    public void Forget(TKey key) => _rateLimiter.Forget(key);

    public int NumRequeues(TKey key) => _rateLimiter.NumRequeues(key);

    /// <summary>Waits for a key. <see cref="QueueItem{TKey}.ShuttingDown"/> is true when the queue is shut down and empty.</summary>
    public async Task<QueueItem<TKey>> GetAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            TaskCompletionSource waiter;
            lock (_lock)
            {
                if (_queue.TryDequeue(out var key))
                {
                    RuntimeMetrics.QueueDepth.WithLabels(_name).Set(_queue.Count);
                    var now = _time.GetTimestamp();
                    if (_queuedAt.Remove(key, out var queuedAt))
                    {
                        RuntimeMetrics.QueueLatency.WithLabels(_name).Observe(_time.GetElapsedTime(queuedAt, now).TotalSeconds);
                    }

                    _startedAt[key] = now;
                    _processing.Add(key);
                    _dirty.Remove(key);
                    return new QueueItem<TKey>(key, false);
                }

                if (_shuttingDown)
                {
                    return new QueueItem<TKey>(default!, true);
                }

                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add(waiter);
            }

            await using (cancellationToken.Register(static w => ((TaskCompletionSource)w!).TrySetCanceled(), waiter))
            {
                await waiter.Task.ConfigureAwait(false);
            }
        }
    }

    /// <summary>Marks a key as processed; if it was re-added meanwhile it goes back in the queue now.</summary>
    public void Done(TKey key)
    {
        List<TaskCompletionSource>? wake = null;
        var drained = false;
        lock (_lock)
        {
            if (!_processing.Remove(key))
            {
                return;
            }

            if (_startedAt.Remove(key, out var started))
            {
                RuntimeMetrics.WorkDuration.WithLabels(_name).Observe(_time.GetElapsedTime(started).TotalSeconds);
            }

            if (_dirty.Contains(key))
            {
                _queue.Enqueue(key);
                RuntimeMetrics.QueueDepth.WithLabels(_name).Set(_queue.Count);
                wake = TakeWaiters();
            }

            drained = _shuttingDown && _processing.Count == 0 && _queue.Count == 0;
        }

        Wake(wake);
        if (drained)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>Stops accepting keys and drops delayed ones; workers get what is queued, then a shut-down answer.</summary>
    public void ShutDown()
    {
        List<TaskCompletionSource> wake;
        var drained = false;
        lock (_lock)
        {
            _shuttingDown = true;
            foreach (var entry in _delayed.Values)
            {
                entry.Timer.Dispose();
            }

            _delayed.Clear();
            wake = TakeWaiters();
            drained = _processing.Count == 0 && _queue.Count == 0;
        }

        Wake(wake);
        if (drained)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>Shuts down and completes once every key handed out is Done and nothing is left queued.</summary>
    public Task ShutDownWithDrainAsync(CancellationToken cancellationToken = default)
    {
        ShutDown();
        return _drained.Task.WaitAsync(cancellationToken);
    }

    public void Dispose() => ShutDown();

    private void Fire(TKey key, Delayed entry)
    {
        lock (_lock)
        {
            if (!_delayed.TryGetValue(key, out var current) || !ReferenceEquals(current, entry))
            {
                return;
            }

            _delayed.Remove(key);
            entry.Timer.Dispose();
        }

        Add(key);
    }

    private List<TaskCompletionSource> TakeWaiters()
    {
        var taken = new List<TaskCompletionSource>(_waiters);
        _waiters.Clear();
        return taken;
    }

    private static void Wake(List<TaskCompletionSource>? waiters)
    {
        if (waiters is null)
        {
            return;
        }

        foreach (var waiter in waiters)
        {
            waiter.TrySetResult();
        }
    }

    private sealed class Delayed(long due)
    {
        public long Due { get; } = due;

        public ITimer Timer { get; set; } = null!;
    }
}
