using System.Collections.Concurrent;
using System.Globalization;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Informers;
using Drover.ControllerRuntime.Observability;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Drover.ControllerRuntime.Tests.Informers;

/// <summary>
/// One object the informer's type cannot hold (a tenant's out-of-range number) must not stop the list or the watch for
/// everyone else: it is skipped, counted, logged once, and the stream goes on past it.
/// </summary>
public sealed class UnreadableObjectTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly ResourceKind<V1ConfigMap> ConfigMaps =
        new(string.Empty, "v1", "configmaps", "ConfigMap", namespaced: true, SourceGenerationContext.Default.V1ConfigMap);

    private readonly ScriptedApiServer _server = new();
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _events = new();
    private readonly RecordingLogger _logger = new();
    private readonly double _decodeErrorsBefore = DecodeErrors;

    public UnreadableObjectTests()
    {
        _http = new HttpClient(_server);
    }

    private static double DecodeErrors => RuntimeMetrics.DecodeErrors.WithLabels(ConfigMaps.Resource).Value;

    private double NewDecodeErrors => DecodeErrors - _decodeErrorsBefore;

    [Fact]
    public async Task A_list_with_an_unreadable_item_syncs_and_serves_every_other_item()
    {
        _server.Put("a", "1");
        var bad = _server.PutUnreadable("bad");
        _server.Put("b", "1");

        var informer = await StartAsync();

        Assert.Equal(["a", "b"], informer.Cache.List().Select(cm => cm.Metadata.Name).Order());
        Assert.Equal(["added a", "added b"], _events.Order());
        Assert.Equal(1, NewDecodeErrors);
        var warning = Assert.Single(_logger.Messages(LogLevel.Warning));
        Assert.Contains("default/bad", warning, StringComparison.Ordinal);
        Assert.Contains($"resourceVersion {bad}", warning, StringComparison.Ordinal);
        Assert.Contains("$.data.value", warning, StringComparison.Ordinal);
        Assert.Equal(bad.ToString(CultureInfo.InvariantCulture), informer.Undecodable[new ObjectKey("default", "bad")]);
    }

    [Fact]
    public async Task A_watch_passes_over_an_unreadable_event_and_resumes_after_it_not_before()
    {
        _server.Put("a", "1");
        await StartAsync();

        _server.Put("b", "1");
        _server.PutUnreadable("c");
        _server.Put("d", "1");
        await Poll.UntilAsync(() => _events.Count == 3, Patience, "b and d around the unreadable c");
        Assert.Equal(["added a", "added b", "added d"], _events);
        Assert.Equal(1, _server.WatchRequests);
        Assert.Equal(1, NewDecodeErrors);

        // The unreadable event is the last one seen: a reconnect must start from it, so it is not read again.
        var last = _server.PutUnreadable("e");
        await Poll.UntilAsync(() => NewDecodeErrors == 2, Patience, "the second unreadable event");
        _server.DropAllWatches();
        _server.Put("f", "1");
        await Poll.UntilAsync(() => _events.Count == 4, Patience, "f after the reconnect");

        Assert.Equal(last.ToString(CultureInfo.InvariantCulture), _server.WatchVersions[1]);
        Assert.Equal(2, _server.WatchRequests);
        Assert.Equal(1, _server.Lists);
        Assert.Equal(2, NewDecodeErrors);
        Assert.Equal(2, _logger.Messages(LogLevel.Warning).Count);
    }

    [Fact]
    public async Task An_object_that_turns_unreadable_keeps_its_last_readable_version_until_it_is_fixed_or_deleted()
    {
        _server.Put("a", "1");
        var informer = await StartAsync();

        _server.PutUnreadable("a");
        await Poll.UntilAsync(() => NewDecodeErrors == 1, Patience, "the unreadable update");
        Assert.Equal("1", informer.Cache.Get("default", "a")!.Data["value"]);
        Assert.Contains(new ObjectKey("default", "a"), informer.Undecodable.Keys);

        // A relist sees it again: still not a deletion, and not logged twice for the same version.
        _server.ExpireNextWatch();
        _server.DropAllWatches();
        await Poll.UntilAsync(() => _server.Lists == 2 && NewDecodeErrors == 2, Patience, "a relist");
        Assert.Equal("1", informer.Cache.Get("default", "a")!.Data["value"]);
        Assert.Single(_logger.Messages(LogLevel.Warning));

        _server.Put("a", "2");
        await Poll.UntilAsync(() => _events.Count == 2, Patience, "the fixed version");
        Assert.Empty(informer.Undecodable);

        _server.PutUnreadable("a");
        _server.Delete("a");
        await Poll.UntilAsync(() => _events.Count == 3, Patience, "the delete of the unreadable object");
        Assert.Equal(["added a", "updated a 1->2", "deleted a 2"], _events);
        Assert.Null(informer.Cache.Get("default", "a"));
        Assert.Empty(informer.Undecodable);
    }

    [Fact]
    public async Task An_index_function_that_throws_on_one_object_skips_that_object_only()
    {
        _server.Put("fine", "1");
        _server.Put("odd", "boom");
        var informer = new Informer<V1ConfigMap>(
            new KubeApiClient(_http, new Uri("http://api")), ConfigMaps, new InformerOptions { Namespaces = ["default"] }, _logger);
        informer.AddIndex("by-value", cm => cm.Data["value"] == "boom" ? throw new InvalidOperationException("no") : [cm.Data["value"]]);
        _ = informer.RunAsync(_stop.Token);
        await informer.HasSynced.WaitAsync(Patience);

        Assert.Equal(["fine"], informer.Cache.List().Select(cm => cm.Metadata.Name));
        Assert.Single(informer.Cache.ByIndex("by-value", "1"));
        Assert.Equal(1, NewDecodeErrors);
        Assert.Contains("index \"by-value\"", Assert.Single(_logger.Messages(LogLevel.Warning)), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _server.DropAllWatches();
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task<Informer<V1ConfigMap>> StartAsync()
    {
        var informer = new Informer<V1ConfigMap>(
            new KubeApiClient(_http, new Uri("http://api")), ConfigMaps, new InformerOptions { Namespaces = ["default"] }, _logger);
        informer.AddHandler(new ResourceChangeHandler<V1ConfigMap>
        {
            OnAdded = cm => _events.Enqueue($"added {cm.Metadata.Name}"),
            OnUpdated = (old, cm) => _events.Enqueue($"updated {cm.Metadata.Name} {old.Data["value"]}->{cm.Data["value"]}"),
            OnDeleted = cm => _events.Enqueue($"deleted {cm.Metadata.Name} {cm.Data["value"]}"),
        });
        _ = informer.RunAsync(_stop.Token);
        await informer.HasSynced.WaitAsync(Patience);
        return informer;
    }
}
