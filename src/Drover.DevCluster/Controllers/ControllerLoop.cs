using System.Text.Json.Nodes;
using System.Threading.Channels;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Storage;
using Microsoft.Extensions.Logging;

namespace Drover.DevCluster.Controllers;

/// <summary>
/// Runs the in-server controllers whenever a relevant write lands or a timer comes due, in two loops: one for the
/// controllers that scan the store (garbage collector, namespace and CRD cleanup, Event expiry), spaced so bulk
/// writes stay cheap, and one for the simulated workloads, whose work is what writes asked for and waits for no scan.
/// </summary>
internal sealed partial class ControllerLoop : IAsyncDisposable
{
    private static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan IdleInterval = TimeSpan.FromMilliseconds(500);

    // The collector scans the whole store, so it runs when a write gave it something to do, and now and then
    // regardless, to retry what a conflict made it skip.
    private static readonly TimeSpan CollectorSafetyInterval = TimeSpan.FromSeconds(30);

    private readonly Channel<bool> _scanSignal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Channel<bool> _workloadSignal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private readonly GarbageCollector _collector;
    private readonly NamespaceLifecycle _namespaces;
    private readonly CustomResourceDefinitionController _crds;
    private readonly EventExpiry _events;
    private readonly KubeletSimulator? _kubelet;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ObjectStore _store;

    // How many ownerReferences name each uid. Only Notify touches it, always under the store's lock.
    private readonly Dictionary<string, int> _referenced = new(StringComparer.Ordinal);

    // The uids of objects marked for deletion (they may wait on finalizers the collector carries out).
    private readonly HashSet<string> _deleting = new(StringComparer.Ordinal);
    private Task _running = Task.CompletedTask;
    private int _collect = 1;

    public ControllerLoop(ObjectStore store, GarbageCollector collector, NamespaceLifecycle namespaces, CustomResourceDefinitionController crds, EventExpiry events, KubeletSimulator? kubelet, TimeProvider time, ILogger logger)
    {
        _store = store;
        _collector = collector;
        _namespaces = namespaces;
        _crds = crds;
        _events = events;
        _kubelet = kubelet;
        _time = time;
        _logger = logger;
    }

    public void Start() => _running = Task.WhenAll(Task.Run(RunScansAsync), Task.Run(RunWorkloadsAsync));

    /// <summary>Called from the store's commit hook (under its lock, which is re-entrant): cheap, never blocks.</summary>
    public void Notify(StoreEvent change)
    {
        _events.Notify(change);
        if (_kubelet?.Notify(change) == true)
        {
            _workloadSignal.Writer.TryWrite(true);
        }

        var metadata = change.Object.Metadata;
        var deleted = change.Type == "DELETED";
        Count(change.Previous, -1);
        Count(deleted ? null : change.Object, +1);
        if (deleted)
        {
            _deleting.Remove(change.Object.Uid);
        }
        else if (metadata["deletionTimestamp"] is not null)
        {
            _deleting.Add(change.Object.Uid);
        }

        // The collector has work when an owner goes or is going, when a dependent of an owner being deleted changes
        // or goes (a foreground deletion may be done), or when an owner reference dangles. A pod that goes is none of
        // these, so a rollout costs no scan of the store.
        var owners = metadata["ownerReferences"] as JsonArray ?? [];
        var collect = (deleted && _referenced.ContainsKey(change.Object.Uid))
            || metadata["deletionTimestamp"] is not null
            || owners.Any(o => _deleting.Contains(Json.String(o, "uid") ?? string.Empty))
            || (!deleted && owners.Any(o => !_store.UidExists(Json.String(o, "uid") ?? string.Empty)));
        if (collect)
        {
            Volatile.Write(ref _collect, 1);
            _scanSignal.Writer.TryWrite(true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stopping.Dispose();
    }

    private void Count(StoredObject? obj, int delta)
    {
        if (obj?.Metadata["ownerReferences"] is not JsonArray owners)
        {
            return;
        }

        foreach (var owner in owners)
        {
            var uid = Json.String(owner, "uid") ?? string.Empty;
            var count = _referenced.GetValueOrDefault(uid) + delta;
            if (count > 0)
            {
                _referenced[uid] = count;
            }
            else
            {
                _referenced.Remove(uid);
            }
        }
    }

    private async Task RunScansAsync()
    {
        var token = _stopping.Token;
        var lastCollection = _time.GetUtcNow();
        while (!token.IsCancellationRequested)
        {
            var changed = false;
            var started = _time.GetTimestamp();
            try
            {
                changed |= _crds.CleanUp();
                changed |= _namespaces.Sweep();
                if (Interlocked.Exchange(ref _collect, 0) == 1 || _time.GetUtcNow() - lastCollection >= CollectorSafetyInterval)
                {
                    lastCollection = _time.GetUtcNow();
                    if (_collector.Sweep())
                    {
                        Volatile.Write(ref _collect, 1);
                        changed = true;
                    }
                }

                changed |= _events.Sweep();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSweepFailed(_logger, e);
            }

            // Sweeps scan the whole store; spacing them by a multiple of their cost keeps bulk writes fast.
            var cost = _time.GetElapsedTime(started);
            await Task.Delay(cost * 4 > MinimumInterval ? cost * 4 : MinimumInterval, _time, token);
            if (!changed)
            {
                await WaitAsync(_scanSignal, _events.NextDue, token);
            }
        }
    }

    private async Task RunWorkloadsAsync()
    {
        if (_kubelet is null)
        {
            return;
        }

        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            var changed = false;
            try
            {
                changed = _kubelet.Sweep();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSweepFailed(_logger, e);
            }

            // A short pause lets a burst of writes land before the next pass looks at them together.
            await Task.Delay(MinimumInterval, _time, token);
            if (!changed)
            {
                await WaitAsync(_workloadSignal, _kubelet.NextDue, token);
            }
        }
    }

    /// <summary>Until a signal, the timer due next, or the idle interval, whichever comes first.</summary>
    private async Task WaitAsync(Channel<bool> signal, DateTimeOffset? due, CancellationToken token)
    {
        var wait = IdleInterval;
        if (due is { } at && at - _time.GetUtcNow() < wait)
        {
            wait = at - _time.GetUtcNow();
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait);
        try
        {
            await signal.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            // Periodic sweep, or a timer came due.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A dev cluster controller sweep failed")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
