using System.Collections.Concurrent;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Controllers;
using Drover.ControllerRuntime.Informers;
using Drover.ControllerRuntime.Tests.Informers;
using k8s;
using k8s.Models;

namespace Drover.ControllerRuntime.Tests.Controllers;

/// <summary>A watch's filter decides which events of the watched kind enqueue anything: the predicates of controller-runtime.</summary>
public sealed class WatchFilterTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly ResourceKind<V1ConfigMap> ConfigMaps =
        new(string.Empty, "v1", "configmaps", "ConfigMap", namespaced: true, SourceGenerationContext.Default.V1ConfigMap);

    private readonly ScriptedApiServer _server = new();
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();

    public WatchFilterTests()
    {
        _http = new HttpClient(_server);
    }

    [Fact]
    public async Task Only_the_events_the_filter_lets_through_queue_the_mapped_keys()
    {
        var informer = new Informer<V1ConfigMap>(new KubeApiClient(_http, new Uri("http://api")), ConfigMaps, new InformerOptions { Namespaces = ["default"] });
        var target = new ObjectKey("default", "target");
        using var controller = new Controller<V1ConfigMap>("filtered", informer, new NoReconcile())
            .Watches(informer, cm => cm.Metadata.Name == "input" ? [target] : [], new WatchFilter<V1ConfigMap>
            {
                OnAdded = _ => false,
                OnUpdated = (old, current) => old.Data["value"] != current.Data["value"] && current.Data["value"].StartsWith("news", StringComparison.Ordinal),
                OnDeleted = _ => false,
            });

        // Registered after the controller's handlers, so once it has seen an event the controller has too.
        var seen = new ConcurrentQueue<string>();
        informer.AddHandler(new ResourceChangeHandler<V1ConfigMap>
        {
            OnAdded = cm => seen.Enqueue($"added {cm.Data["value"]}"),
            OnUpdated = (_, cm) => seen.Enqueue($"updated {cm.Data["value"]}"),
            OnDeleted = _ => seen.Enqueue("deleted"),
        });
        _ = informer.RunAsync(_stop.Token);
        await informer.HasSynced.WaitAsync(Patience);

        async Task<bool> TargetQueuedAfter(Action change, string @event)
        {
            change();
            await Poll.UntilAsync(() => seen.Contains(@event), Patience, @event);
            var queued = false;
            while (controller.Queue.Count > 0)
            {
                var item = await controller.Queue.GetAsync(_stop.Token);
                queued |= item.Key == target;
                controller.Queue.Done(item.Key);
            }

            return queued;
        }

        Assert.False(await TargetQueuedAfter(() => _server.Put("input", "first"), "added first"));
        Assert.False(await TargetQueuedAfter(() => _server.Put("input", "noise"), "updated noise"));
        Assert.True(await TargetQueuedAfter(() => _server.Put("input", "news-1"), "updated news-1"));
        Assert.False(await TargetQueuedAfter(() => _server.Delete("input"), "deleted"));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _server.DropAllWatches();
        _http.Dispose();
        _stop.Dispose();
    }

    private sealed class NoReconcile : IReconciler<V1ConfigMap>
    {
        public Task<ReconcileResult> ReconcileAsync(ReconcileRequest<V1ConfigMap> request, CancellationToken cancellationToken) => Task.FromResult(ReconcileResult.Done);
    }
}
