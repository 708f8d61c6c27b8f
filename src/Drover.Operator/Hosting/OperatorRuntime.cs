using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Apply;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Controllers;
using Drover.ControllerRuntime.LeaderElection;
using Drover.Operator.Agents;
using Drover.Operator.Children;
using Drover.Operator.Cluster;
using Drover.Operator.ModelProviders;
using Drover.Operator.Resolution;
using Drover.Operator.Rollouts;
using Drover.Operator.Schedules;
using Drover.Operator.Status;
using Microsoft.Extensions.Logging;

namespace Drover.Operator.Hosting;

/// <summary>
/// The operator's moving parts put together: the caches and their indexes, one controller per kind (each declares
/// its own watches beside its reconciler), and the host that runs them, with leader election when asked.
/// </summary>
internal sealed class OperatorRuntime : IDisposable
{
    /// <param name="client">The API client to run against.</param>
    /// <param name="options">The parsed run options.</param>
    /// <param name="digest">The digest of secret material, keyed with the operator's key (<see cref="DigestKeys"/>).</param>
    /// <param name="loggerFactory">Where logs go.</param>
    /// <param name="time">The clock; the system's when null.</param>
    public OperatorRuntime(KubeApiClient client, RunOptions options, SecretDigest digest, ILoggerFactory loggerFactory, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        time ??= TimeProvider.System;
        Options = options;
        Informers = new OperatorInformers(client, options.Namespaces, digest, loggerFactory);
        ProviderReferences.Register(Informers);
        AgentReferences.Register(Informers, options.Gateway);
        ScheduleReferences.Register(Informers);

        var applier = new ResourceApplier(client);
        var statuses = new StatusWriter(applier);
        var events = new EventRecorder(client, logger: loggerFactory.CreateLogger<EventRecorder>(), time: time);
        var children = new ChildWriter(applier, Informers, loggerFactory.CreateLogger<ChildWriter>());
        Pacer = new RolloutPacer(options.MaxConcurrentRollouts, time);
        var builderOptions = new OperatorOptions { AgentOtlpEndpoint = options.AgentOtlpEndpoint, Gateway = options.Gateway, DnsPeers = options.DnsPeers };
        var controllerOptions = new ControllerOptions { Workers = options.Workers, ResyncPeriod = options.ResyncPeriod };

        ModelProviders = ModelProviderController.Create(
            Informers,
            new ModelProviderReconciler(Informers, client, statuses, events, loggerFactory.CreateLogger<ModelProviderReconciler>(), time),
            controllerOptions,
            loggerFactory.CreateLogger("Drover.Controllers.ModelProviders"),
            time);
        Agents = AgentController.Create(
            Informers,
            new AgentReconciler(Informers, children, statuses, events, Pacer, builderOptions, loggerFactory.CreateLogger<AgentReconciler>(), time),
            Pacer,
            controllerOptions,
            loggerFactory.CreateLogger("Drover.Controllers.Agents"),
            time,
            options.Gateway);
        Schedules = ScheduleController.Create(
            Informers,
            new ScheduleReconciler(Informers, children, statuses, applier, events, builderOptions, loggerFactory.CreateLogger<ScheduleReconciler>(), time),
            controllerOptions,
            loggerFactory.CreateLogger("Drover.Controllers.Schedules"),
            time);

        Host = new ControllerHost(loggerFactory.CreateLogger<ControllerHost>());
        foreach (var informer in Informers.All)
        {
            Host.AddInformer(informer);
        }

        Host.AddController(ModelProviders).AddController(Agents).AddController(Schedules);
        if (options.LeaderElect)
        {
            Host.UseLeaderElection(new LeaderElector(
                new KubeLeaseStore(client, options.LeaderElectionNamespace, "drover-operator"),
                // The suffix keeps two processes that share a pod name (a restart racing its predecessor) apart.
                new LeaderElectionOptions { Identity = (options.PodName ?? Environment.MachineName) + "_" + Guid.NewGuid().ToString("N")[..8] },
                loggerFactory.CreateLogger<LeaderElector>(),
                time: time));
        }
    }

    public RunOptions Options { get; }

    public OperatorInformers Informers { get; }

    public RolloutPacer Pacer { get; }

    public Controller<ModelProvider> ModelProviders { get; }

    public Controller<Agent> Agents { get; }

    public Controller<Schedule> Schedules { get; }

    /// <summary>The hosted service that runs informers everywhere and workers on the leader.</summary>
    public ControllerHost Host { get; }

    /// <summary>Queues every cached object of every kind, as the periodic resync does.</summary>
    public void ResyncAll()
    {
        ModelProviders.EnqueueAll();
        Agents.EnqueueAll();
        Schedules.EnqueueAll();
    }

    public void Dispose()
    {
        ModelProviders.Dispose();
        Agents.Dispose();
        Schedules.Dispose();
    }
}
