using System.Collections.Concurrent;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Controllers;
using Drover.ControllerRuntime.Informers;
using Drover.ControllerRuntime.Queue;
using Drover.ControllerRuntime.Tests.Informers;
using k8s;
using k8s.Models;

namespace Drover.ControllerRuntime.Tests.Controllers;

public sealed class ControllerTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly ResourceKind<V1ConfigMap> ConfigMaps =
        new(string.Empty, "v1", "configmaps", "ConfigMap", namespaced: true, SourceGenerationContext.Default.V1ConfigMap);

    private readonly ScriptedApiServer _server = new();
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly SteppingTimeProvider _time = new();

    public ControllerTests()
    {
        _http = new HttpClient(_server);
    }

    [Fact]
    public async Task Errors_and_exceptions_retry_with_growing_backoff_and_terminal_failures_are_not_retried()
    {
        var reconciler = new ScriptedReconciler(
            _ => ReconcileResult.Failed("first"),
            _ => throw new InvalidOperationException("second"),
            _ => ReconcileResult.Terminal("bad spec"));
        _server.Put("a", "1");
        var informer = await StartInformerAsync();
        using var controller = new Controller<V1ConfigMap>("retry", informer, reconciler, time: _time);
        var key = new ObjectKey("default", "a");

        Assert.True(await controller.ProcessNextAsync(_stop.Token));
        Assert.Equal(1, controller.Queue.NumRequeues(key));
        Assert.Equal(0, controller.Queue.Count);
        _time.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Equal(1, controller.Queue.Count);

        Assert.True(await controller.ProcessNextAsync(_stop.Token));
        Assert.Equal(2, controller.Queue.NumRequeues(key));
        _time.Advance(TimeSpan.FromMilliseconds(9));
        Assert.Equal(0, controller.Queue.Count);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, controller.Queue.Count);

        Assert.True(await controller.ProcessNextAsync(_stop.Token));
        Assert.Equal(0, controller.Queue.NumRequeues(key));
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, controller.Queue.Count);
        Assert.Equal(0, controller.Queue.DelayedCount);
        Assert.Equal(3, controller.Reconciles);
        Assert.Equal(3, controller.Failures);
        Assert.All(reconciler.Seen, r => Assert.Equal("1", r.Object!.Data["value"]));
    }

    [Fact]
    public async Task RequeueAfter_looks_again_after_the_delay_and_resets_backoff()
    {
        var reconciler = new ScriptedReconciler(_ => ReconcileResult.Failed("x"), _ => ReconcileResult.After(TimeSpan.FromSeconds(30)));
        _server.Put("a", "1");
        var informer = await StartInformerAsync();
        using var controller = new Controller<V1ConfigMap>("requeue", informer, reconciler, time: _time);

        await controller.ProcessNextAsync(_stop.Token);
        _time.Advance(TimeSpan.FromMilliseconds(5));
        await controller.ProcessNextAsync(_stop.Token);
        Assert.Equal(0, controller.Queue.NumRequeues(new ObjectKey("default", "a")));
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, controller.Queue.Count);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, controller.Queue.Count);
    }

    [Fact]
    public async Task Requeues_months_away_do_not_kill_workers_and_an_ordinary_key_is_still_reconciled()
    {
        // Three Schedules whose next run is 400 days out, two workers: on a real clock such a delay is more than a
        // timer accepts, which used to throw in the bookkeeping and take each worker down with it.
        var reconciler = new KeyedReconciler(key => key.Name.StartsWith("yearly", StringComparison.Ordinal) ? ReconcileResult.After(TimeSpan.FromDays(400)) : ReconcileResult.Done);
        _server.Put("yearly-1", "1");
        _server.Put("yearly-2", "1");
        _server.Put("yearly-3", "1");
        var informer = await StartInformerAsync();
        using var controller = new Controller<V1ConfigMap>("far-future", informer, reconciler, new ControllerOptions { Workers = 2 });
        using var stopWorkers = new CancellationTokenSource();
        var workers = controller.RunWorkersAsync(stopWorkers.Token);
        await Poll.UntilAsync(() => reconciler.Count("yearly") == 3, Patience, "the three far-future keys");

        _server.Put("ordinary", "1");
        await Poll.UntilAsync(() => reconciler.Count("ordinary") == 1, Patience, "the ordinary key");
        Assert.Equal(3, controller.Queue.DelayedCount);
        Assert.False(workers.IsCompleted);
        await stopWorkers.CancelAsync();
        await workers.WaitAsync(Patience);
    }

    [Fact]
    public async Task A_requeue_beyond_the_maximum_delay_looks_again_after_the_maximum()
    {
        _server.Put("a", "1");
        var informer = await StartInformerAsync();
        using var controller = new Controller<V1ConfigMap>(
            "capped", informer, new ScriptedReconciler(_ => ReconcileResult.After(TimeSpan.FromDays(200))), new ControllerOptions { MaxRequeueDelay = TimeSpan.FromHours(24) }, time: _time);

        await controller.ProcessNextAsync(_stop.Token);
        _time.Advance(TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, controller.Queue.Count);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, controller.Queue.Count);
    }

    [Fact]
    public async Task A_failure_in_the_bookkeeping_after_a_reconcile_is_logged_and_the_workers_go_on()
    {
        var reconciler = new KeyedReconciler(key => key.Name.StartsWith("failing", StringComparison.Ordinal) ? ReconcileResult.Failed("nope") : ReconcileResult.Done);
        _server.Put("failing-1", "1");
        _server.Put("failing-2", "1");
        _server.Put("failing-3", "1");
        var informer = await StartInformerAsync();
        var logger = new RecordingLogger();
        using var controller = new Controller<V1ConfigMap>(
            "bookkeeping", informer, reconciler, new ControllerOptions { Workers = 2, RateLimiter = new ThrowingRateLimiter() }, logger);
        using var stopWorkers = new CancellationTokenSource();
        var workers = controller.RunWorkersAsync(stopWorkers.Token);
        await Poll.UntilAsync(() => reconciler.Count("failing") == 3, Patience, "the three failing keys");

        _server.Put("ordinary", "1");
        await Poll.UntilAsync(() => reconciler.Count("ordinary") == 1, Patience, "the ordinary key");
        Assert.Equal(3, logger.Messages(Microsoft.Extensions.Logging.LogLevel.Error).Count(m => m.StartsWith("Bookkeeping after the reconcile of default/failing-", StringComparison.Ordinal)));

        // The keys whose bookkeeping failed are not lost: each is looked at again later (a worker logs before it requeues).
        await Poll.UntilAsync(() => controller.Queue.DelayedCount == 3, Patience, "the three keys to wait for another look");
        await stopWorkers.CancelAsync();
        await workers.WaitAsync(Patience);
    }

    [Fact]
    public async Task A_change_to_an_owned_child_or_a_mapped_object_queues_its_owner()
    {
        _server.Put("parent", "1");
        _server.Put("other", "1");
        _server.Put("child", "1", controllerOwner: "parent");
        var informer = await StartInformerAsync();
        var reconciler = new ScriptedReconciler();
        using var controller = new Controller<V1ConfigMap>("owns", informer, reconciler, time: _time)
            .Owns(informer)
            .Watches(informer, cm => cm.Metadata.Name == "pointer" ? [new ObjectKey("default", "other")] : []);
        await DrainAsync(controller);

        _server.Put("child", "2", controllerOwner: "parent");
        await Poll.UntilAsync(() => controller.Queue.Count > 0, Patience, "the owner to be queued");
        await DrainAsync(controller);
        Assert.Contains("default/parent", reconciler.Keys);
        Assert.Contains("default/child", reconciler.Keys);

        reconciler.Keys.Clear();
        _server.Put("pointer", "1");
        await Poll.UntilAsync(() => controller.Queue.Count >= 2, Patience, "pointer and the object it maps to");
        await DrainAsync(controller);
        Assert.Equal(["default/other", "default/pointer"], reconciler.Keys.Order());
    }

    [Fact]
    public async Task Workers_reconcile_everything_and_a_deleted_object_is_reconciled_with_no_object()
    {
        for (var i = 0; i < 10; i++)
        {
            _server.Put($"cm{i}", "1");
        }

        var informer = await StartInformerAsync();
        var reconciler = new ScriptedReconciler();
        using var controller = new Controller<V1ConfigMap>("workers", informer, reconciler, new ControllerOptions { Workers = 3 });
        using var stopWorkers = new CancellationTokenSource();
        var workers = controller.RunWorkersAsync(stopWorkers.Token);
        await Poll.UntilAsync(() => reconciler.KeysSnapshot().Distinct().Count() == 10, Patience, "ten reconciles");

        _server.Delete("cm3");
        await Poll.UntilAsync(() => reconciler.Seen.Any(r => r.Key.Name == "cm3" && r.Object is null), Patience, "the delete");
        await stopWorkers.CancelAsync();
        await workers.WaitAsync(Patience);
    }

    [Fact]
    public async Task A_resync_period_requeues_every_cached_object_on_the_clock()
    {
        _server.Put("a", "1");
        _server.Put("b", "1");
        var informer = await StartInformerAsync();
        var reconciler = new ScriptedReconciler();
        using var controller = new Controller<V1ConfigMap>("resync", informer, reconciler, new ControllerOptions { ResyncPeriod = TimeSpan.FromMinutes(1) }, time: _time);
        using var stopWorkers = new CancellationTokenSource();
        var timersBefore = _time.TimersCreated;
        var workers = controller.RunWorkersAsync(stopWorkers.Token);
        await Poll.UntilAsync(() => controller.Reconciles == 2, Patience, "the initial reconciles");
        await _time.WaitForTimersAsync(timersBefore + 1);

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(2, controller.Reconciles);
        _time.Advance(TimeSpan.FromSeconds(1));
        await Poll.UntilAsync(() => controller.Reconciles == 4, Patience, "a resync of both objects");
        await stopWorkers.CancelAsync();
        await workers.WaitAsync(Patience);
    }

    [Fact]
    public async Task Each_reconcile_is_a_span_and_a_counted_metric()
    {
        var spans = new ConcurrentBag<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == Observability.RuntimeTelemetry.SourceName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        _server.Put("a", "1");
        var informer = await StartInformerAsync();
        using var controller = new Controller<V1ConfigMap>("telemetry", informer, new ScriptedReconciler(_ => ReconcileResult.Failed("nope")), time: _time);
        var errorsBefore = Observability.RuntimeMetrics.ReconcileErrors.WithLabels("telemetry").Value;

        await controller.ProcessNextAsync(_stop.Token);

        var span = Assert.Single(spans, a => (string?)a.GetTagItem("drover.controller") == "telemetry");
        Assert.Equal("a", span.GetTagItem("k8s.object.name"));
        Assert.Equal(System.Diagnostics.ActivityStatusCode.Error, span.Status);
        Assert.Equal(errorsBefore + 1, Observability.RuntimeMetrics.ReconcileErrors.WithLabels("telemetry").Value);
        Assert.Equal(1, Observability.RuntimeMetrics.ReconcileTotal.WithLabels("telemetry", "error").Value);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _server.DropAllWatches();
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task<Informer<V1ConfigMap>> StartInformerAsync()
    {
        var informer = new Informer<V1ConfigMap>(new KubeApiClient(_http, new Uri("http://api")), ConfigMaps, new InformerOptions { Namespaces = ["default"] });
        _ = informer.RunAsync(_stop.Token);
        await informer.HasSynced.WaitAsync(Patience);
        return informer;
    }

    private async Task DrainAsync(Controller<V1ConfigMap> controller)
    {
        while (controller.Queue.Count > 0)
        {
            await controller.ProcessNextAsync(_stop.Token);
        }
    }

    private sealed class KeyedReconciler(Func<ObjectKey, ReconcileResult> answer) : IReconciler<V1ConfigMap>
    {
        private readonly ConcurrentQueue<string> _names = new();

        public int Count(string prefix) => _names.Count(n => n.StartsWith(prefix, StringComparison.Ordinal));

        public Task<ReconcileResult> ReconcileAsync(ReconcileRequest<V1ConfigMap> request, CancellationToken cancellationToken)
        {
            _names.Enqueue(request.Key.Name);
            return Task.FromResult(answer(request.Key));
        }
    }

    private sealed class ThrowingRateLimiter : IRateLimiter<ObjectKey>
    {
        public TimeSpan When(ObjectKey key) => throw new InvalidOperationException("rate limiter broke");

        public void Forget(ObjectKey key)
        {
        }

        public int NumRequeues(ObjectKey key) => 0;
    }

    private sealed class ScriptedReconciler(params Func<ReconcileRequest<V1ConfigMap>, ReconcileResult>[] script) : IReconciler<V1ConfigMap>
    {
        private int _calls;

        public ConcurrentBag<ReconcileRequest<V1ConfigMap>> Seen { get; } = [];

        public List<string> Keys { get; } = [];

        public List<string> KeysSnapshot()
        {
            lock (Keys)
            {
                return [.. Keys];
            }
        }

        public Task<ReconcileResult> ReconcileAsync(ReconcileRequest<V1ConfigMap> request, CancellationToken cancellationToken)
        {
            Seen.Add(request);
            lock (Keys)
            {
                Keys.Add(request.Key.ToString());
            }

            var call = Interlocked.Increment(ref _calls) - 1;
            return Task.FromResult(call < script.Length ? script[call](request) : ReconcileResult.Done);
        }
    }
}
