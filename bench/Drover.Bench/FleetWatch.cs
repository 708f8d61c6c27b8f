using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Informers;
using Drover.Operator.Cluster;
using Drover.Operator.Hosting;
using k8s.Models;

namespace Drover.Bench;

/// <summary>
/// What the harness sees of the fleet, through its own watches (as <c>kubectl get -w</c> would): Agents, Schedules
/// and Deployments. Readiness is judged with the operator's own rule (<see cref="ConvergenceWatcher.IsConverged"/>).
/// </summary>
internal sealed class FleetWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    public FleetWatch(BenchCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        Agents = new Informer<Agent>(cluster.Api, OperatorKinds.Agents);
        Schedules = new Informer<Schedule>(cluster.Api, OperatorKinds.Schedules);
        Deployments = new Informer<V1Deployment>(cluster.Api, OperatorKinds.Deployments);
        _running = Task.WhenAll(Agents.RunAsync(_stop.Token), Schedules.RunAsync(_stop.Token), Deployments.RunAsync(_stop.Token));
    }

    public Informer<Agent> Agents { get; }

    public Informer<Schedule> Schedules { get; }

    public Informer<V1Deployment> Deployments { get; }

    public Task HasSynced => Task.WhenAll(Agents.HasSynced, Schedules.HasSynced, Deployments.HasSynced);

    /// <summary>Agents Ready for their current generation.</summary>
    public int ReadyAgents => Agents.Cache.List().Count(a => ConvergenceWatcher.IsConverged([a], []));

    /// <summary>Every Agent and Schedule of the plan exists and is Ready, and every Agent has its Deployment.</summary>
    public bool IsConverged(FleetPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (Agents.Cache.Count < plan.Agents || Schedules.Cache.Count < plan.Schedules || Deployments.Cache.Count < plan.Agents)
        {
            return false;
        }

        return ConvergenceWatcher.IsConverged(Agents.Cache.List(), Schedules.Cache.List());
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
