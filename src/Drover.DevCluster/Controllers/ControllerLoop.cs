using System.Text.Json.Nodes;
using System.Threading.Channels;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Storage;
using Microsoft.Extensions.Logging;

namespace Drover.DevCluster.Controllers;

/// <summary>
/// Runs the in-server controllers (garbage collector, namespace and CRD cleanup, Event expiry, simulated workloads)
/// whenever a relevant write lands or a timer comes due, at most once per short interval so bulk writes stay cheap.
/// </summary>
internal sealed partial class ControllerLoop : IAsyncDisposable
{
    private static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan IdleInterval = TimeSpan.FromMilliseconds(500);

    // The collector scans the whole store, so it runs when a write gave it something to do, and now and then
    // regardless, to retry what a conflict made it skip.
    private static readonly TimeSpan CollectorSafetyInterval = TimeSpan.FromSeconds(5);

    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private readonly GarbageCollector _collector;
    private readonly NamespaceLifecycle _namespaces;
    private readonly CustomResourceDefinitionController _crds;
    private readonly EventExpiry _events;
    private readonly KubeletSimulator? _kubelet;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ObjectStore _store;
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

    public void Start() => _running = Task.Run(RunAsync);

    /// <summary>Called from the store's commit hook (under its lock, which is re-entrant): cheap, never blocks.</summary>
    public void Notify(StoreEvent change)
    {
        _events.Notify(change);
        var simulated = _kubelet?.Notify(change) ?? false;
        var metadata = change.Object.Metadata;
        var collect = change.Type == "DELETED"
            || metadata["deletionTimestamp"] is not null
            || (metadata["ownerReferences"] is JsonArray owners && owners.Any(o => !_store.UidExists(Json.String(o, "uid") ?? string.Empty)));
        if (collect)
        {
            Volatile.Write(ref _collect, 1);
        }

        if (collect || simulated)
        {
            _signal.Writer.TryWrite(true);
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

    private async Task RunAsync()
    {
        var token = _stopping.Token;
        var lastCollection = _time.GetUtcNow();
        while (!token.IsCancellationRequested)
        {
            var changed = false;
            var scanCost = TimeSpan.Zero;
            try
            {
                var started = _time.GetTimestamp();
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

                scanCost = _time.GetElapsedTime(started);
                changed |= _events.Sweep();
                changed |= _kubelet?.Sweep() ?? false;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSweepFailed(_logger, e);
            }

            // The scans read the whole store; spacing them by a multiple of their cost keeps bulk writes fast. The
            // workload controllers' work is what writes asked for: it is not wasted, so it waits for nothing.
            await Task.Delay(scanCost * 4 > MinimumInterval ? scanCost * 4 : MinimumInterval, _time, token);
            if (changed)
            {
                continue;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
            timeout.CancelAfter(Wait());
            try
            {
                await _signal.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                // Periodic sweep, or a timer came due.
            }
        }
    }

    /// <summary>Until the earliest timer of the kubelet or the Event expiry, at most the idle interval.</summary>
    private TimeSpan Wait()
    {
        var now = _time.GetUtcNow();
        var wait = IdleInterval;
        foreach (var due in (DateTimeOffset?[])[_kubelet?.NextDue, _events.NextDue])
        {
            if (due is { } at && at - now < wait)
            {
                wait = at - now;
            }
        }

        return wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A dev cluster controller sweep failed")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
