using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Informers;
using Drover.ControllerRuntime.Observability;
using Drover.ControllerRuntime.Queue;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drover.ControllerRuntime.Controllers;

/// <summary>
/// Turns cache events into keys on a work queue and runs a reconciler over them with N workers.
/// Primary objects enqueue themselves; owned children enqueue their controller owner (<see cref="Owns{TChild}"/>);
/// anything else enqueues what a mapping function says (<see cref="Watches{TOther}"/>).
/// </summary>
public sealed class Controller<T> : IController, IDisposable
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Informer<T> _informer;
    private readonly IReconciler<T> _reconciler;
    private readonly ControllerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    // Where a key goes when the bookkeeping after its reconcile failed: soon enough to notice, late enough not to spin.
    private static readonly TimeSpan BookkeepingRetry = TimeSpan.FromSeconds(30);

    private ITimer? _resync;
    private long _reconciles;
    private long _failures;

    public Controller(string name, Informer<T> informer, IReconciler<T> reconciler, ControllerOptions? options = null, ILogger? logger = null, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(informer);
        ArgumentNullException.ThrowIfNull(reconciler);
        Name = name;
        _informer = informer;
        _reconciler = reconciler;
        _options = options ?? new ControllerOptions();
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        Queue = new WorkQueue<ObjectKey>(name, _time, _options.RateLimiter);
        informer.AddHandler(new ResourceChangeHandler<T>
        {
            OnAdded = obj => Queue.Add(ObjectKey.Of(obj)),
            OnUpdated = (_, obj) => Queue.Add(ObjectKey.Of(obj)),
            OnDeleted = obj => Queue.Add(ObjectKey.Of(obj)),
        });
    }

    public string Name { get; }

    public WorkQueue<ObjectKey> Queue { get; }

    /// <summary>Reconciles run so far, whatever their outcome.</summary>
    public long Reconciles => Interlocked.Read(ref _reconciles);

    /// <summary>Reconciles that failed (error, terminal or exception).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>
    /// Re-reconciles the owner when a child it controls changes: the child's controller ownerReference names it.
    /// <paramref name="filter"/>, when given, says which child events matter.
    /// </summary>
    public Controller<T> Owns<TChild>(Informer<TChild> children, WatchFilter<TChild>? filter = null)
        where TChild : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(children);
        filter ??= new WatchFilter<TChild>();
        var ownerGroup = _informer.Kind.Group;
        var ownerKind = _informer.Kind.Kind;
        void EnqueueOwner(TChild child)
        {
            var owner = child.Metadata?.OwnerReferences?.FirstOrDefault(r => r.Controller == true);
            if (owner is not null && owner.Kind == ownerKind && GroupOf(owner.ApiVersion) == ownerGroup)
            {
                Queue.Add(new ObjectKey(string.IsNullOrEmpty(child.Metadata!.NamespaceProperty) ? null : child.Metadata.NamespaceProperty, owner.Name));
            }
        }

        children.AddHandler(new ResourceChangeHandler<TChild>
        {
            OnAdded = child =>
            {
                if (filter.Added(child))
                {
                    EnqueueOwner(child);
                }
            },
            OnUpdated = (old, current) =>
            {
                if (filter.Updated(old, current))
                {
                    EnqueueOwner(old);
                    EnqueueOwner(current);
                }
            },
            OnDeleted = child =>
            {
                if (filter.Deleted(child))
                {
                    EnqueueOwner(child);
                }
            },
        });
        return this;
    }

    /// <summary>
    /// Re-reconciles whatever <paramref name="map"/> names when an object of another kind changes (e.g. secret →
    /// providers); an update maps the object as it was and as it is, so a reference that moved reaches both sides.
    /// <paramref name="filter"/>, when given, says which events matter.
    /// </summary>
    public Controller<T> Watches<TOther>(IResourceEvents<TOther> others, Func<TOther, IEnumerable<ObjectKey>> map, WatchFilter<TOther>? filter = null)
        where TOther : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(others);
        ArgumentNullException.ThrowIfNull(map);
        filter ??= new WatchFilter<TOther>();
        void EnqueueMapped(TOther other)
        {
            foreach (var key in map(other))
            {
                Queue.Add(key);
            }
        }

        others.AddHandler(new ResourceChangeHandler<TOther>
        {
            OnAdded = other =>
            {
                if (filter.Added(other))
                {
                    EnqueueMapped(other);
                }
            },
            OnUpdated = (old, current) =>
            {
                if (filter.Updated(old, current))
                {
                    EnqueueMapped(old);
                    EnqueueMapped(current);
                }
            },
            OnDeleted = other =>
            {
                if (filter.Deleted(other))
                {
                    EnqueueMapped(other);
                }
            },
        });
        return this;
    }

    public void EnqueueAll()
    {
        foreach (var key in _informer.Cache.Keys())
        {
            Queue.Add(key);
        }
    }

    public Task RunWorkersAsync(CancellationToken cancellationToken) => RunWorkersAsync(cancellationToken, CancellationToken.None);

    public async Task RunWorkersAsync(CancellationToken cancellationToken, CancellationToken abandon)
    {
        ControllerLog.Starting(_logger, Name, _options.Workers);
        if (_options.ResyncPeriod is { } period && period > TimeSpan.Zero)
        {
            var capped = Capped(period);
            _resync = _time.CreateTimer(_ => EnqueueAll(), null, capped, capped);
        }

        // Stopping ends the taking of new keys at once; keys already taken get a grace period to finish, unless the
        // work is abandoned (leadership lost), when they are cancelled at once.
        using var inFlight = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        await using var stopping = cancellationToken.Register(() => inFlight.CancelAfter(_options.ShutdownGracePeriod));
        await using var abandoning = abandon.Register(inFlight.Cancel);
        try
        {
            var workers = Enumerable.Range(0, Math.Max(1, _options.Workers))
                .Select(_ => Task.Run(() => WorkAsync(cancellationToken, inFlight.Token), CancellationToken.None));
            await Task.WhenAll(workers);
        }
        finally
        {
            _resync?.Dispose();
            _resync = null;
            ControllerLog.Stopped(_logger, Name);
        }
    }

    /// <summary>Takes one key and reconciles it; for tests and for hosts that drive workers themselves.</summary>
    public Task<bool> ProcessNextAsync(CancellationToken cancellationToken) => ProcessNextAsync(cancellationToken, cancellationToken);

    private async Task<bool> ProcessNextAsync(CancellationToken takeToken, CancellationToken cancellationToken)
    {
        var item = await Queue.GetAsync(takeToken);
        if (item.ShuttingDown)
        {
            return false;
        }

        try
        {
            await ReconcileAsync(item.Key, cancellationToken);
        }
        finally
        {
            Done(item.Key);
        }

        return true;
    }

    public void Dispose()
    {
        _resync?.Dispose();
        Queue.Dispose();
    }

    /// <summary>A worker: takes keys until stopped. Nothing that goes wrong with one key ends it.</summary>
    [SuppressMessage("Design", "CA1031", Justification = "A worker that dies silently stops a share of all reconciles; whatever escapes one key is logged and the worker goes on.")]
    private async Task WorkAsync(CancellationToken cancellationToken, CancellationToken inFlightToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (!await ProcessNextAsync(cancellationToken, inFlightToken))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                ControllerLog.WorkerFailed(_logger, e, Name);
            }
        }
    }

    [SuppressMessage("Design", "CA1031", Justification = "A reconciler's exception must not kill the worker; it is logged, counted and retried.")]
    private async Task ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        using var activity = RuntimeTelemetry.ActivitySource.StartActivity($"reconcile {Name}");
        activity?.SetTag("drover.controller", Name);
        activity?.SetTag("k8s.namespace.name", key.Namespace);
        activity?.SetTag("k8s.object.name", key.Name);
        var started = _time.GetTimestamp();
        Interlocked.Increment(ref _reconciles);
        ReconcileResult result;
        try
        {
            result = await _reconciler.ReconcileAsync(new ReconcileRequest<T>(key, _informer.Cache.Get(key)), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down or losing leadership: whoever runs next picks the key up again.
            Record(key, () =>
            {
                Queue.Add(key);
                activity?.SetStatus(ActivityStatusCode.Error, "cancelled");
            });
            return;
        }
        catch (TerminalException e)
        {
            result = ReconcileResult.Terminal(e.Message);
        }
        catch (Exception e)
        {
            ControllerLog.ReconcileThrew(_logger, e, Name, key.ToString());
            activity?.AddException(e);
            result = new ReconcileResult(ReconcileOutcome.Error, Message: null);
        }

        Record(key, () =>
        {
            RuntimeMetrics.ReconcileDuration.WithLabels(Name).Observe(_time.GetElapsedTime(started).TotalSeconds);
            FollowUp(key, result, activity);
        });
    }

    /// <summary>Counts the outcome and schedules what comes next for the key.</summary>
    private void FollowUp(ObjectKey key, ReconcileResult result, Activity? activity)
    {
        RuntimeMetrics.ReconcileTotal.WithLabels(Name, result.Outcome.ToString().ToLowerInvariant()).Inc();
        activity?.SetTag("drover.reconcile.result", result.Outcome.ToString());
        switch (result.Outcome)
        {
            case ReconcileOutcome.Done:
                Queue.Forget(key);
                break;
            case ReconcileOutcome.RequeueAfter:
                Queue.Forget(key);
                var delay = Capped(result.Delay);
                if (delay != result.Delay)
                {
                    ControllerLog.RequeueCapped(_logger, Name, key.ToString(), result.Delay, delay);
                }

                Queue.AddAfter(key, delay);
                break;
            case ReconcileOutcome.Error:
                Interlocked.Increment(ref _failures);
                RuntimeMetrics.ReconcileErrors.WithLabels(Name).Inc();
                activity?.SetStatus(ActivityStatusCode.Error, result.Message ?? "exception");
                if (result.Message is not null)
                {
                    ControllerLog.ReconcileFailed(_logger, Name, key.ToString(), result.Message);
                }

                Queue.AddRateLimited(key);
                break;
            case ReconcileOutcome.Terminal:
                Interlocked.Increment(ref _failures);
                RuntimeMetrics.ReconcileErrors.WithLabels(Name).Inc();
                activity?.SetStatus(ActivityStatusCode.Error, result.Message);
                ControllerLog.ReconcileTerminal(_logger, Name, key.ToString(), result.Message);
                Queue.Forget(key);
                break;
        }
    }

    /// <summary>
    /// Runs the bookkeeping after a reconcile (metrics, logs, queue calls). If any of it throws, the worker must not
    /// die with it: the failure is logged and the key is looked at again after a fixed delay, so it is not lost either.
    /// </summary>
    [SuppressMessage("Design", "CA1031", Justification = "Bookkeeping must never kill a worker.")]
    private void Record(ObjectKey key, Action bookkeeping)
    {
        try
        {
            bookkeeping();
        }
        catch (Exception e)
        {
            try
            {
                ControllerLog.BookkeepingFailed(_logger, e, Name, key.ToString(), BookkeepingRetry);
                Queue.AddAfter(key, BookkeepingRetry);
            }
            catch (Exception)
            {
                // Nothing more can be done for this key here; its next event or the resync brings it back.
            }
        }
    }

    [SuppressMessage("Design", "CA1031", Justification = "Marking a key done must not kill the worker either.")]
    private void Done(ObjectKey key)
    {
        try
        {
            Queue.Done(key);
        }
        catch (Exception e)
        {
            ControllerLog.WorkerFailed(_logger, e, Name);
        }
    }

    private TimeSpan Capped(TimeSpan delay)
    {
        var max = _options.MaxRequeueDelay > TimeSpan.Zero && _options.MaxRequeueDelay < TimerLimits.MaxDelay
            ? _options.MaxRequeueDelay
            : TimerLimits.MaxDelay;
        return delay > max ? max : delay;
    }

    private static string GroupOf(string? apiVersion)
    {
        if (string.IsNullOrEmpty(apiVersion))
        {
            return string.Empty;
        }

        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? string.Empty : apiVersion[..slash];
    }
}
