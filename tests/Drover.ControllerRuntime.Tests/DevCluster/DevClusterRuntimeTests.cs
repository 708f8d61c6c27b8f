using System.Collections.Concurrent;
using System.Globalization;
using Drover.ControllerRuntime.Apply;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Controllers;
using Drover.ControllerRuntime.Informers;
using Drover.ControllerRuntime.LeaderElection;
using Drover.DevCluster;
using k8s;
using k8s.Models;

namespace Drover.ControllerRuntime.Tests.DevCluster;

/// <summary>The runtime against the in-process dev cluster: real HTTP, real watch streams, real server-side apply.</summary>
public sealed class DevClusterRuntimeTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private static readonly ResourceKind<V1ConfigMap> ConfigMaps =
        new(string.Empty, "v1", "configmaps", "ConfigMap", namespaced: true, ConfigMapJsonContext.Default.V1ConfigMap);

    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _events = new();
    private readonly ConcurrentDictionary<string, List<long>> _versions = new();
    private DevClusterServer _cluster = null!;
    private HttpClient _http = null!;
    private KubeApiClient _client = null!;

    public async Task InitializeAsync()
    {
        _cluster = await DevClusterServer.StartAsync(new DevClusterOptions { SimulateKubelet = false });
        _http = new HttpClient();
        _client = new KubeApiClient(_http, _cluster.BaseAddress);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _cluster.DisposeAsync();
    }

    public void Dispose()
    {
        _http.Dispose();
        _stop.Dispose();
    }

    [Fact]
    public async Task Informer_events_arrive_in_order()
    {
        var informer = await StartInformerAsync();
        await CreateAsync("a", "1");
        await UpdateAsync("a", "2");
        await _client.DeleteAsync(ConfigMaps, "default", "a", null, CancellationToken.None);

        await Poll.UntilAsync(() => _events.Count == 3, Patience, "three events");
        Assert.Equal(["added a", "updated a 1->2", "deleted a"], _events);
        Assert.Null(informer.Cache.Get("default", "a"));
        AssertVersionsStrictlyIncrease();
    }

    [Fact]
    public async Task A_dropped_watch_resumes_without_a_relist()
    {
        await CreateAsync("a", "1");
        var informer = await StartInformerAsync();
        _cluster.Requests.Reset();

        Assert.True(_cluster.Faults.DropAllWatches() >= 1);
        await CreateAsync("b", "1");
        await UpdateAsync("a", "2");
        // Handlers run after the cache is set, so wait on what they recorded, not on the cache.
        await Poll.UntilAsync(() => _events.Count >= 3, Patience, "changes after the drop");
        Assert.Equal("2", informer.Cache.Get("default", "a")?.Data["value"]);
        Assert.NotNull(informer.Cache.Get("default", "b"));

        Assert.Equal(0, _cluster.Requests.Count("list", "configmaps"));
        Assert.True(_cluster.Requests.Count("watch", "configmaps") >= 1);
        Assert.Equal(1, informer.Relists);
        Assert.True(informer.WatchRestarts >= 1);
        Assert.Equal(["added a", "added b", "updated a 1->2"], _events);
        AssertVersionsStrictlyIncrease();
    }

    [Fact]
    public async Task A_forced_410_relists_and_delivers_the_deletes_made_during_the_outage_once()
    {
        await CreateAsync("keep", "1");
        await CreateAsync("gone", "1");
        var informer = await StartInformerAsync();
        _cluster.Requests.Reset();

        _cluster.Faults.ExpireNextWatch();
        _cluster.Faults.DropAllWatches();
        await _client.DeleteAsync(ConfigMaps, "default", "gone", null, CancellationToken.None);

        await Poll.UntilAsync(() => _events.Contains("deleted gone"), Patience, "the delete");
        await Poll.UntilAsync(() => informer.Relists >= 2, Patience, "a relist");
        Assert.True(_cluster.Requests.Count("list", "configmaps") >= 1);
        Assert.Single(_events, e => e == "deleted gone");
        Assert.Single(_events, e => e == "added keep");
        Assert.DoesNotContain(_events, e => e.StartsWith("updated keep", StringComparison.Ordinal));
        AssertVersionsStrictlyIncrease();
    }

    [Fact]
    public async Task Two_hosts_one_leader_fast_failover_on_graceful_stop()
    {
        var a = Host("a", release: true);
        var b = Host("b", release: true);
        await a.StartAsync(CancellationToken.None);
        await Poll.UntilAsync(() => a.IsLeader, Patience, "a leads");
        await b.StartAsync(CancellationToken.None);
        await b.HasSynced.WaitAsync(Patience);
        Assert.False(b.IsLeader);

        var stopped = DateTime.UtcNow;
        await a.StopAsync(CancellationToken.None);
        await Poll.UntilAsync(() => b.IsLeader, TimeSpan.FromSeconds(3), "b leads within 3 s");
        Assert.True(DateTime.UtcNow - stopped < TimeSpan.FromSeconds(3));
        await b.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Two_hosts_the_standby_leads_after_the_lease_of_a_killed_leader_expires()
    {
        var a = Host("a", release: false);
        var b = Host("b", release: true);
        await a.StartAsync(CancellationToken.None);
        await Poll.UntilAsync(() => a.IsLeader, Patience, "a leads");
        await b.StartAsync(CancellationToken.None);
        await b.HasSynced.WaitAsync(Patience);

        var killed = DateTime.UtcNow;
        await a.StopAsync(CancellationToken.None);
        await Poll.UntilAsync(() => b.IsLeader, Patience, "b leads after expiry");
        Assert.True(DateTime.UtcNow - killed >= TimeSpan.FromSeconds(1.5), "took over before the lease could expire");
        await b.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_steady_state_resync_makes_zero_writes()
    {
        const int parents = 5;
        for (var i = 0; i < parents; i++)
        {
            await CreateAsync($"parent{i}", "v", labels: new() { ["mirror"] = "true" });
        }

        var sources = new Informer<V1ConfigMap>(_client, ConfigMaps, new InformerOptions { Namespaces = ["default"], LabelSelector = "mirror=true" });
        var mirrors = new Informer<V1ConfigMap>(_client, ConfigMaps, new InformerOptions { Namespaces = ["default"], LabelSelector = "mirror-of" });
        using var controller = new Controller<V1ConfigMap>("mirror", sources, new MirrorReconciler(new ResourceApplier(_client), mirrors)).Owns(mirrors);
        var host = new ControllerHost().AddInformer(sources).AddInformer(mirrors).AddController(controller);
        await host.StartAsync(CancellationToken.None);
        await Poll.UntilAsync(() => mirrors.Cache.Count == parents, Patience, "a mirror per parent");
        await Poll.UntilAsync(() => controller.Queue.Count == 0 && controller.Queue.DelayedCount == 0, Patience, "an idle queue");
        await Poll.UntilAsync(() => controller.Reconciles >= 2 * parents, Patience, "the mirrors' own events to be reconciled");

        _cluster.Requests.Reset();
        var before = controller.Reconciles;
        controller.EnqueueAll();
        await Poll.UntilAsync(() => controller.Reconciles >= before + parents, Patience, "a resync");
        Assert.Equal(0, _cluster.Requests.Writes);

        await UpdateAsync("parent0", "changed", labels: new() { ["mirror"] = "true" });
        await Poll.UntilAsync(() => mirrors.Cache.Get("default", "parent0-mirror")?.Data["value"] == "changed", Patience, "the mirror to follow");
        Assert.Equal(2, _cluster.Requests.Writes);
        await host.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task An_informer_over_a_namespace_list_sees_those_namespaces_only()
    {
        foreach (var ns in (string[])["default", "kube-public", "kube-system"])
        {
            await _client.CreateAsync(ConfigMaps, new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "x", NamespaceProperty = ns } }, CancellationToken.None);
        }

        var informer = new Informer<V1ConfigMap>(_client, ConfigMaps, new InformerOptions { Namespaces = ["default", "kube-public"], FieldSelector = "metadata.name=x" });
        _ = informer.RunAsync(_stop.Token);
        await informer.HasSynced.WaitAsync(Patience);
        await _client.CreateAsync(ConfigMaps, new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "y", NamespaceProperty = "default" } }, CancellationToken.None);
        await _client.CreateAsync(ConfigMaps, new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "x", NamespaceProperty = "kube-node-lease" } }, CancellationToken.None);
        await Poll.UntilAsync(() => _cluster.OpenWatches >= 2, Patience, "a watch per namespace");

        // An update behind the unwanted create on the same stream: once it arrives, the create would have too.
        var x = await _client.GetAsync(ConfigMaps, "default", "x", CancellationToken.None);
        x!.Data = new Dictionary<string, string> { ["after"] = "y" };
        await _client.ReplaceAsync(ConfigMaps, x, CancellationToken.None);
        await Poll.UntilAsync(() => informer.Cache.Get("default", "x")?.Data?.ContainsKey("after") == true, Patience, "the update");

        Assert.Equal(["default/x", "kube-public/x"], informer.Cache.Keys().Select(k => k.ToString()).Order());
        Assert.Equal(2, _cluster.Requests.Count("list", "configmaps"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_informer_can_cache_objects_without_their_managedFields(bool strip)
    {
        await CreateAsync("listed", "1");
        var informer = new Informer<V1ConfigMap>(_client, ConfigMaps, new InformerOptions { Namespaces = ["default"], StripManagedFields = strip });
        _ = informer.RunAsync(_stop.Token);
        await informer.HasSynced.WaitAsync(Patience);
        await CreateAsync("watched", "1");
        await UpdateAsync("listed", "2");
        await Poll.UntilAsync(
            () => informer.Cache.Get("default", "watched") is not null && informer.Cache.Get("default", "listed")?.Data["value"] == "2",
            Patience,
            "the create and the update");

        foreach (var name in (string[])["listed", "watched"])
        {
            var cached = informer.Cache.Get("default", name)!;
            Assert.Equal(strip, cached.Metadata.ManagedFields is null);
            Assert.NotNull(cached.Metadata.ResourceVersion);
        }
    }

    [Fact]
    public async Task Finalizers_hold_a_deleted_object_until_removed_and_stale_writes_conflict()
    {
        var created = await CreateAsync("guarded", "1");
        var guarded = await Finalizers.AddAsync(_client, ConfigMaps, created, "drover.dev/cleanup", CancellationToken.None);
        Assert.Contains("drover.dev/cleanup", guarded!.Metadata.Finalizers);
        Assert.Null(await Finalizers.AddAsync(_client, ConfigMaps, guarded, "drover.dev/cleanup", CancellationToken.None));

        // The first read is stale now: a finalizer write based on it must not win.
        var conflict = await Assert.ThrowsAsync<KubeApiException>(() => Finalizers.RemoveAsync(_client, ConfigMaps, WithFinalizer(created), "drover.dev/cleanup", CancellationToken.None));
        Assert.True(conflict.IsConflict);

        await _client.DeleteAsync(ConfigMaps, "default", "guarded", null, CancellationToken.None);
        var deleting = await _client.GetAsync(ConfigMaps, "default", "guarded", CancellationToken.None);
        Assert.NotNull(deleting!.Metadata.DeletionTimestamp);
        await Finalizers.RemoveAsync(_client, ConfigMaps, deleting, "drover.dev/cleanup", CancellationToken.None);
        Assert.Null(await _client.GetAsync(ConfigMaps, "default", "guarded", CancellationToken.None));
    }

    [Fact]
    public async Task Repeated_events_become_one_Event_with_a_series_count()
    {
        var regarding = await CreateAsync("noisy", "1");
        regarding.ApiVersion = "v1";
        regarding.Kind = "ConfigMap";
        var recorder = new EventRecorder(_client, new EventRecorderOptions { SeriesFlushInterval = TimeSpan.Zero });

        Assert.Equal(EventRecordOutcome.Created, await recorder.WarningAsync(regarding, "InvalidSpec", "Reconcile", "bad", CancellationToken.None));
        Assert.Equal(EventRecordOutcome.SeriesUpdated, await recorder.WarningAsync(regarding, "InvalidSpec", "Reconcile", "bad", CancellationToken.None));
        Assert.Equal(EventRecordOutcome.SeriesUpdated, await recorder.WarningAsync(regarding, "InvalidSpec", "Reconcile", "bad", CancellationToken.None));

        var events = await _client.ListAsync(EventRecorder.EventKind, "default", null, CancellationToken.None);
        var only = Assert.Single(events.Items, e => e.Regarding?.Name == "noisy");
        Assert.Equal(3, only.Series!.Count);
        Assert.Equal("Warning", only.Type);
    }

    [Fact]
    public async Task A_series_whose_Event_was_deleted_is_carried_on_by_a_new_Event()
    {
        var regarding = await CreateAsync("persistent", "1");
        regarding.ApiVersion = "v1";
        regarding.Kind = "ConfigMap";
        var recorder = new EventRecorder(_client, new EventRecorderOptions { SeriesFlushInterval = TimeSpan.Zero });
        await recorder.WarningAsync(regarding, "InvalidSpec", "Reconcile", "bad", CancellationToken.None);
        await recorder.WarningAsync(regarding, "InvalidSpec", "Reconcile", "bad", CancellationToken.None);
        var expired = Assert.Single((await _client.ListAsync(EventRecorder.EventKind, "default", null, CancellationToken.None)).Items, e => e.Regarding?.Name == "persistent");

        // What the server's Event TTL does after an hour.
        Assert.True(await _client.DeleteAsync(EventRecorder.EventKind, "default", expired.Metadata.Name, null, CancellationToken.None));
        Assert.Equal(EventRecordOutcome.SeriesRestarted, await recorder.WarningAsync(regarding, "InvalidSpec", "Reconcile", "bad", CancellationToken.None));
        Assert.Equal(EventRecordOutcome.SeriesUpdated, await recorder.WarningAsync(regarding, "InvalidSpec", "Reconcile", "bad", CancellationToken.None));

        var listed = Assert.Single((await _client.ListAsync(EventRecorder.EventKind, "default", null, CancellationToken.None)).Items, e => e.Regarding?.Name == "persistent");
        Assert.NotEqual(expired.Metadata.Name, listed.Metadata.Name);
        Assert.Equal(4, listed.Series!.Count);
        Assert.Equal("Warning", listed.Type);
        Assert.Equal("bad", listed.Note);
    }

    private static V1ConfigMap WithFinalizer(V1ConfigMap stale)
    {
        stale.Metadata.Finalizers = ["drover.dev/cleanup"];
        return stale;
    }

    private ControllerHost Host(string identity, bool release)
    {
        var informer = new Informer<V1ConfigMap>(_client, ConfigMaps, new InformerOptions { Namespaces = ["default"] });
        var controller = new Controller<V1ConfigMap>("leader-" + identity, informer, new MirrorReconciler(new ResourceApplier(_client), informer));
        var elector = new LeaderElector(new KubeLeaseStore(_client, "default", "drover-test"), new LeaderElectionOptions
        {
            Identity = identity,
            LeaseDuration = TimeSpan.FromSeconds(2),
            RenewDeadline = TimeSpan.FromSeconds(1.5),
            RetryPeriod = TimeSpan.FromMilliseconds(250),
            ReleaseOnCancel = release,
        });
        return new ControllerHost().AddInformer(informer).AddController(controller).UseLeaderElection(elector);
    }

    private async Task<Informer<V1ConfigMap>> StartInformerAsync()
    {
        var informer = new Informer<V1ConfigMap>(_client, ConfigMaps, new InformerOptions { Namespaces = ["default"] });
        informer.AddHandler(new ResourceChangeHandler<V1ConfigMap>
        {
            OnAdded = cm => Record($"added {cm.Metadata.Name}", cm),
            OnUpdated = (old, cm) => Record($"updated {cm.Metadata.Name} {old.Data["value"]}->{cm.Data["value"]}", cm),
            OnDeleted = cm => Record($"deleted {cm.Metadata.Name}", cm, allowRepeat: true),
        });
        var watchesBefore = _cluster.OpenWatches;
        _ = informer.RunAsync(_stop.Token);
        await informer.HasSynced.WaitAsync(Patience);

        // Synced means listed; the faults below act on open streams, so wait for the watch too.
        await Poll.UntilAsync(() => _cluster.OpenWatches > watchesBefore, Patience, "the informer's watch to open");
        return informer;
    }

    private Task<V1ConfigMap> CreateAsync(string name, string value, Dictionary<string, string>? labels = null) =>
        _client.CreateAsync(ConfigMaps, new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Labels = labels },
            Data = new Dictionary<string, string> { ["value"] = value },
        }, CancellationToken.None);

    private async Task UpdateAsync(string name, string value, Dictionary<string, string>? labels = null)
    {
        var live = await _client.GetAsync(ConfigMaps, "default", name, CancellationToken.None);
        live!.Data["value"] = value;
        if (labels is not null)
        {
            live.Metadata.Labels = labels;
        }

        await _client.ReplaceAsync(ConfigMaps, live, CancellationToken.None);
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

    /// <summary>Keeps a ConfigMap <c>&lt;name&gt;-mirror</c> with the parent's data, owned by the parent.</summary>
    private sealed class MirrorReconciler(ResourceApplier applier, Informer<V1ConfigMap> mirrors) : IReconciler<V1ConfigMap>
    {
        public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest<V1ConfigMap> request, CancellationToken cancellationToken)
        {
            if (request.Object is not { } parent || parent.Metadata.Name.EndsWith("-mirror", StringComparison.Ordinal))
            {
                return ReconcileResult.Done;
            }

            var desired = new V1ConfigMap
            {
                Metadata = new V1ObjectMeta
                {
                    Name = parent.Metadata.Name + "-mirror",
                    NamespaceProperty = parent.Metadata.NamespaceProperty,
                    Labels = new Dictionary<string, string> { ["mirror-of"] = parent.Metadata.Name },
                    OwnerReferences = [OwnerReferences.ControllerOf(parent)],
                },
                Data = parent.Data,
            };
            await applier.ApplyAsync(ConfigMaps, desired, mirrors.Cache.Get("default", desired.Metadata.Name), cancellationToken);
            return ReconcileResult.Done;
        }
    }
}

// The client's own context lacks JsonElement, which managedFields' fieldsV1 arrives as from a server that tracks owners.
[System.Text.Json.Serialization.JsonSourceGenerationOptions(DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
[System.Text.Json.Serialization.JsonSerializable(typeof(V1ConfigMap))]
[System.Text.Json.Serialization.JsonSerializable(typeof(System.Text.Json.JsonElement))]
internal sealed partial class ConfigMapJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
