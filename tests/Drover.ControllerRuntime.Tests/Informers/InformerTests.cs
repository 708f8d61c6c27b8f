using System.Collections.Concurrent;
using System.Globalization;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Informers;
using k8s;
using k8s.Models;

namespace Drover.ControllerRuntime.Tests.Informers;

public sealed class InformerTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly ResourceKind<V1ConfigMap> ConfigMaps =
        new(string.Empty, "v1", "configmaps", "ConfigMap", namespaced: true, SourceGenerationContext.Default.V1ConfigMap);

    private readonly ScriptedApiServer _server = new();
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _events = new();
    private readonly ConcurrentDictionary<string, List<long>> _versions = new();

    public InformerTests()
    {
        _http = new HttpClient(_server);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Adds_updates_and_deletes_reach_handlers_in_order_and_the_cache_follows(bool packed)
    {
        _server.Put("a", "1");
        var informer = await StartAsync(new InformerOptions { PackObjects = packed });
        Assert.Equal(packed, informer.Cache.IsPacked);
        Assert.Equal("1", informer.Cache.Get("default", "a")!.Data["value"]);

        _server.Put("b", "1");
        _server.Put("a", "2");
        _server.Delete("b");
        await Poll.UntilAsync(() => _events.Count == 4, Patience, "four events");

        Assert.Equal(["added a", "added b", "updated a 1->2", "deleted b"], _events);
        Assert.Equal("2", informer.Cache.Get("default", "a")!.Data["value"]);
        Assert.Null(informer.Cache.Get("default", "b"));
        AssertVersionsStrictlyIncrease();
    }

    [Fact]
    public async Task A_dropped_watch_resumes_from_the_last_version_without_relisting()
    {
        _server.Put("a", "1");
        var informer = await StartAsync();
        _server.Put("a", "2");
        await Poll.UntilAsync(() => _events.Count == 2, Patience, "the update");

        _server.DropAllWatches();
        var changedWhileAway = _server.Put("b", "1");
        await Poll.UntilAsync(() => _events.Count == 3, Patience, "b after the drop");
        Assert.NotNull(informer.Cache.Get("default", "b"));

        Assert.Equal(1, _server.Lists);
        Assert.True(_server.WatchRequests >= 2);
        Assert.Equal((changedWhileAway - 1).ToString(CultureInfo.InvariantCulture), _server.WatchVersions[1]);
        Assert.Equal(["added a", "updated a 1->2", "added b"], _events);
        AssertVersionsStrictlyIncrease();
    }

    [Fact]
    public async Task Bookmarks_move_the_resume_point_forward()
    {
        var informer = await StartAsync();
        var bookmark = _server.Bookmark();
        await Poll.UntilAsync(() => _server.OpenWatches == 1, Patience, "a watch");
        await Poll.UntilAsync(() => informer.GetHealth(TimeSpan.FromMinutes(1)).Synced, Patience, "synced");

        // The bookmark line is in flight; the drop must come after it was read, so wait until the stream drained it.
        await Poll.UntilAsync(
            () =>
            {
                _server.DropAllWatches();
                return _server.WatchVersions.Contains(bookmark.ToString(CultureInfo.InvariantCulture));
            },
            Patience,
            "a watch resumed from the bookmark");
        Assert.Equal(1, _server.Lists);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_expired_version_relists_and_reports_what_changed_while_away_exactly_once(bool packed)
    {
        _server.Put("keep", "1");
        _server.Put("change", "1");
        _server.Put("gone", "1");
        var informer = await StartAsync(new InformerOptions { PackObjects = packed });
        Assert.Equal(3, _events.Count);

        // The informer is cut off (its reconnects fail) while objects change and history is compacted away.
        _server.FailNext(int.MaxValue);
        _server.DropAllWatches();
        _server.Delete("gone");
        _server.Put("change", "2");
        _server.Put("new", "1");
        _server.Compact();
        _server.FailNext(0);

        await Poll.UntilAsync(() => _events.Count == 6, Patience, "the relist's differences");
        Assert.Equal(2, _server.Lists);
        Assert.Equal(2, informer.Relists);
        Assert.Equal(
            ["added change", "added gone", "added keep", "updated change 1->2", "added new", "deleted gone"],
            _events.Take(3).Order().Concat(_events.Skip(3)));
        Assert.Null(informer.Cache.Get("default", "gone"));
        AssertVersionsStrictlyIncrease();
    }

    [Fact]
    public async Task An_ERROR_410_on_the_watch_itself_relists()
    {
        _server.Put("a", "1");
        var informer = await StartAsync();
        _server.ExpireNextWatch();
        _server.DropAllWatches();
        await Poll.UntilAsync(() => _server.Lists == 2, Patience, "a relist");
        await Poll.UntilAsync(() => _server.OpenWatches == 1, Patience, "a new watch");
        Assert.Equal(["added a"], _events);
        Assert.Equal(2, informer.Relists);
    }

    [Fact]
    public async Task Lists_are_paged_with_limit_and_continue()
    {
        for (var i = 0; i < 5; i++)
        {
            _server.Put($"cm{i}", "x");
        }

        var informer = await StartAsync(new InformerOptions { PageSize = 2 });
        Assert.Equal(3, _server.Lists);
        Assert.Equal(5, informer.Cache.Count);
        Assert.Equal(1, informer.Relists);
    }

    [Fact]
    public async Task A_silent_stream_is_restarted_by_the_watchdog()
    {
        var time = new SteppingTimeProvider();
        var informer = await StartAsync(new InformerOptions { StreamIdleTimeout = TimeSpan.FromSeconds(30) }, time);
        await Poll.UntilAsync(() => _server.WatchRequests == 1, Patience, "the first watch");

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(1, _server.WatchRequests);
        time.Advance(TimeSpan.FromSeconds(1));
        await Poll.UntilAsync(() => _server.WatchRequests == 2, Patience, "a second watch");
        Assert.Equal(1, _server.Lists);
        Assert.True(informer.WatchRestarts >= 1);
    }

    [Fact]
    public async Task An_informer_that_cannot_list_reports_itself_stuck_after_the_threshold_and_recovers()
    {
        var time = new SteppingTimeProvider();
        _server.FailNext(1000);
        var informer = new Informer<V1ConfigMap>(new KubeApiClient(_http, new Uri("http://api")), ConfigMaps, new InformerOptions { Namespaces = ["default"] }, time: time);
        var run = informer.RunAsync(_stop.Token);
        await time.WaitForTimersAsync(1);

        Assert.False(informer.GetHealth(TimeSpan.FromMinutes(1)).Stuck);
        for (var i = 0; i < 20 && time.GetUtcNow() < DateTimeOffset.Parse("2025-01-01T00:01:05Z"); i++)
        {
            await time.StepAsync(TimeSpan.FromSeconds(31), 1);
        }

        var health = informer.GetHealth(TimeSpan.FromMinutes(1));
        Assert.True(health.Stuck, health.Description);
        Assert.False(health.Synced);

        _server.FailNext(0);
        time.Advance(TimeSpan.FromSeconds(31));
        await informer.HasSynced.WaitAsync(Patience);
        Assert.False(informer.GetHealth(TimeSpan.FromMinutes(1)).Stuck);
        await _stop.CancelAsync();
        await run.WaitAsync(Patience);
    }

    [Fact]
    public async Task A_client_side_selection_caches_only_what_it_selects_and_reports_entering_as_added_and_leaving_as_deleted()
    {
        _server.Put("a", "waiting");
        _server.Put("b", "running");
        var informer = await StartAsync(select: cm => cm.Data["value"].StartsWith("waiting", StringComparison.Ordinal));
        Assert.Equal(1, informer.Cache.Count);
        Assert.Null(informer.Cache.Get("default", "b"));

        _server.Put("b", "waiting");
        _server.Put("b", "waiting again");
        _server.Put("a", "running");
        _server.Put("a", "still running");
        _server.Delete("a");
        _server.Delete("b");
        await Poll.UntilAsync(() => _events.Count == 5, Patience, "five events");

        Assert.Equal(["added a", "added b", "updated b waiting->waiting again", "deleted a", "deleted b"], _events);
        Assert.Equal(0, informer.Cache.Count);
        AssertVersionsStrictlyIncrease();
    }

    [Fact]
    public async Task A_relist_reports_what_entered_or_left_a_client_side_selection_while_away()
    {
        _server.Put("leaves", "waiting");
        _server.Put("enters", "running");
        var informer = await StartAsync(select: cm => cm.Data["value"] == "waiting");

        _server.FailNext(int.MaxValue);
        _server.DropAllWatches();
        _server.Put("leaves", "running");
        _server.Put("enters", "waiting");
        _server.Compact();
        _server.FailNext(0);

        await Poll.UntilAsync(() => _events.Count == 3, Patience, "the relist's differences");
        Assert.Equal(["added leaves", "added enters", "deleted leaves"], _events);
        Assert.Equal(["enters"], informer.Cache.List().Select(cm => cm.Metadata.Name));
    }

    [Fact]
    public async Task A_selection_that_throws_on_one_object_skips_it_and_the_stream_goes_on()
    {
        var informer = await StartAsync(select: cm => cm.Data["value"] == "bad" ? throw new FormatException("unreadable status") : true);
        _server.Put("bad", "bad");
        _server.Put("good", "fine");
        await Poll.UntilAsync(() => _events.Count == 1, Patience, "the object after the bad one");

        Assert.Equal(["added good"], _events);
        Assert.Contains(informer.Undecodable.Keys, k => k.Name == "bad");
    }

    public void Dispose()
    {
        _stop.Cancel();
        _server.DropAllWatches();
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task<Informer<V1ConfigMap>> StartAsync(InformerOptions? options = null, TimeProvider? time = null, Func<V1ConfigMap, bool>? select = null)
    {
        var informer = new Informer<V1ConfigMap>(
            new KubeApiClient(_http, new Uri("http://api")),
            ConfigMaps,
            (options ?? new InformerOptions()) with { Namespaces = ["default"] },
            time: time,
            select: select);
        informer.AddHandler(new ResourceChangeHandler<V1ConfigMap>
        {
            OnAdded = cm => Record($"added {cm.Metadata.Name}", cm),
            OnUpdated = (old, cm) => Record($"updated {cm.Metadata.Name} {old.Data["value"]}->{cm.Data["value"]}", cm),
            // A delete noticed by a relist carries the last state the cache saw, so its version repeats the previous one.
            OnDeleted = cm => Record($"deleted {cm.Metadata.Name}", cm, allowRepeat: true),
        });
        _ = informer.RunAsync(_stop.Token);
        await informer.HasSynced.WaitAsync(Patience);
        return informer;
    }

    private void Record(string description, V1ConfigMap cm, bool allowRepeat = false)
    {
        _events.Enqueue(description);
        var versions = _versions.GetOrAdd(cm.Metadata.Name, _ => []);
        lock (versions)
        {
            var version = long.Parse(cm.Metadata.ResourceVersion, CultureInfo.InvariantCulture);
            if (!(allowRepeat && versions.Count > 0 && versions[^1] == version))
            {
                versions.Add(version);
            }
        }
    }

    private void AssertVersionsStrictlyIncrease()
    {
        foreach (var (name, versions) in _versions)
        {
            for (var i = 1; i < versions.Count; i++)
            {
                Assert.True(versions[i] > versions[i - 1], $"{name}: {string.Join(",", versions)}");
            }
        }
    }
}
