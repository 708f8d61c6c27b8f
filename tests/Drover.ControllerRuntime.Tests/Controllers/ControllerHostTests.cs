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

    public void Dispose()
    {
        _server.DropAllWatches();
        _http.Dispose();
    }

    private (ControllerHost Host, Func<long> Reconciles) Host(string identity)
    {
        var informer = new Informer<V1ConfigMap>(new KubeApiClient(_http, new Uri("http://api")), ConfigMaps, new InformerOptions { Namespaces = ["default"] });
        var controller = new Controller<V1ConfigMap>("mirror-" + identity, informer, new CountingReconciler());
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
}
