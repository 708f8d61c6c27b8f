using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Controllers;
using Drover.ControllerRuntime.Informers;
using Drover.ControllerRuntime.LeaderElection;
using Drover.ControllerRuntime.Tests.Informers;
using Drover.ControllerRuntime.Tests.LeaderElection;
using k8s;
using k8s.Models;

namespace Drover.ControllerRuntime.Tests.Controllers;

public sealed class ControllerHostTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly ResourceKind<V1ConfigMap> ConfigMaps =
        new(string.Empty, "v1", "configmaps", "ConfigMap", namespaced: true, SourceGenerationContext.Default.V1ConfigMap);

    private readonly ScriptedApiServer _server = new();
    private readonly HttpClient _http;
    private readonly InMemoryLeaseStore _lease = new();

    public ControllerHostTests()
    {
        _http = new HttpClient(_server);
    }

    [Fact]
    public async Task Only_the_leader_reconciles_and_a_standby_with_warm_caches_takes_over_after_a_graceful_stop()
    {
        _server.Put("a", "1");
        var (hostA, countA) = Host("a");
        var (hostB, countB) = Host("b");
        await hostA.StartAsync(CancellationToken.None);
        await Poll.UntilAsync(() => hostA.IsLeader, Patience, "a to lead");
        await hostB.StartAsync(CancellationToken.None);
        await hostB.HasSynced.WaitAsync(Patience);
        await Poll.UntilAsync(() => countA() == 1, Patience, "a to reconcile");

        _server.Put("b", "1");
        await Poll.UntilAsync(() => countA() == 2, Patience, "a to reconcile the new object");
        Assert.False(hostB.IsLeader);
        Assert.Equal(0, countB());
        // The standby's informer sees the new object on its own watch, independently of the leader's.
        var warm = Assert.IsType<Informer<V1ConfigMap>>(hostB.Informers[0]);
        await Poll.UntilAsync(() => warm.Cache.Count == 2, Patience, "b's cache to hold both objects");
        Assert.Equal(0, countB());

        var stopped = DateTime.UtcNow;
        await hostA.StopAsync(CancellationToken.None);
        // a released the Lease on its way out; b, retrying, may already have taken it by the time we look.
        Assert.NotEqual("a", _lease.Current!.HolderIdentity);
        await Poll.UntilAsync(() => hostB.IsLeader, TimeSpan.FromSeconds(3), "b to lead after a's release");
        Assert.True(DateTime.UtcNow - stopped < TimeSpan.FromSeconds(3));
        await Poll.UntilAsync(() => countB() == 2, Patience, "b to look at everything once");

        await hostB.StopAsync(CancellationToken.None);
        hostA.Dispose();
        hostB.Dispose();
    }

    [Fact]
    public async Task A_leader_that_loses_the_lease_cancels_its_reconciles_in_flight_at_once_without_a_grace_period()
    {
        _server.Put("slow", "1");
        var reconciler = new BlockingReconciler();
        var (host, _) = Host("a", reconciler, new ControllerOptions { ShutdownGracePeriod = TimeSpan.FromHours(1) });
        await host.StartAsync(CancellationToken.None);
        var inFlight = await reconciler.Started.Task.WaitAsync(Patience);

        // The API server becomes unreachable: renewals fail, and the renew deadline (1.5 s) ends leading.
        _lease.Unreachable = true;
        await Poll.UntilAsync(() => !host.IsLeader, Patience, "a to lose the lease");
        await Poll.UntilAsync(() => inFlight.IsCancellationRequested, Patience, "the reconcile in flight to be cancelled");

        _lease.Unreachable = false;
        await host.StopAsync(CancellationToken.None);
        host.Dispose();
    }

    public void Dispose()
    {
        _server.DropAllWatches();
        _http.Dispose();
    }

    private (ControllerHost Host, Func<long> Reconciles) Host(string identity, IReconciler<V1ConfigMap>? reconciler = null, ControllerOptions? options = null)
    {
        var informer = new Informer<V1ConfigMap>(new KubeApiClient(_http, new Uri("http://api")), ConfigMaps, new InformerOptions { Namespaces = ["default"] });
        var controller = new Controller<V1ConfigMap>("mirror-" + identity, informer, reconciler ?? new CountingReconciler(), options);
        var elector = new LeaderElector(_lease, new LeaderElectionOptions
        {
            Identity = identity,
            LeaseDuration = TimeSpan.FromSeconds(2),
            RenewDeadline = TimeSpan.FromSeconds(1.5),
            RetryPeriod = TimeSpan.FromMilliseconds(200),
        });
        var host = new ControllerHost().AddInformer(informer).AddController(controller).UseLeaderElection(elector);
        return (host, () => controller.Reconciles);
    }

    private sealed class CountingReconciler : IReconciler<V1ConfigMap>
    {
        public Task<ReconcileResult> ReconcileAsync(ReconcileRequest<V1ConfigMap> request, CancellationToken cancellationToken) =>
            Task.FromResult(ReconcileResult.Done);
    }

    /// <summary>Holds every reconcile until its token is cancelled, and hands that token to the test.</summary>
    private sealed class BlockingReconciler : IReconciler<V1ConfigMap>
    {
        public TaskCompletionSource<CancellationToken> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest<V1ConfigMap> request, CancellationToken cancellationToken)
        {
            Started.TrySetResult(cancellationToken);
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            return ReconcileResult.Done;
        }
    }
}
