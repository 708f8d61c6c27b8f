using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Apply;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Controllers;
using Drover.ControllerRuntime.Informers;
using Drover.ControllerRuntime.LeaderElection;
using Drover.Operator.Agents;
using Drover.Operator.ModelProviders;
using Drover.Operator.Rollouts;
using Drover.Operator.Schedules;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Drover.Operator.Hosting;

/// <summary>
/// The operator's moving parts wired together: the caches, one controller per kind, and the watches that carry a
/// change of any input (a Secret, a provider, a ConfigMap, an agent) to exactly the objects that use it.
/// </summary>
public sealed class OperatorRuntime : IDisposable
{
    public OperatorRuntime(KubeApiClient client, RunOptions options, ILoggerFactory loggerFactory, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        time ??= TimeProvider.System;
        Options = options;
        Informers = new OperatorInformers(client, options.Namespaces, loggerFactory);
        var applier = new ResourceApplier(client);
        var events = new EventRecorder(client, logger: loggerFactory.CreateLogger<EventRecorder>(), time: time);
        Pacer = new RolloutPacer(options.MaxConcurrentRollouts);
        var builderOptions = new OperatorOptions { AgentOtlpEndpoint = options.AgentOtlpEndpoint };
        var controllerOptions = new ControllerOptions { Workers = options.Workers, ResyncPeriod = options.ResyncPeriod };

        ModelProviders = new Controller<ModelProvider>(
            "modelproviders",
            Informers.ModelProviders,
            new ModelProviderReconciler(Informers, applier, events, loggerFactory.CreateLogger<ModelProviderReconciler>(), time),
            controllerOptions,
            loggerFactory.CreateLogger("Drover.Controllers.ModelProviders"),
            time);
        Agents = new Controller<Agent>(
            "agents",
            Informers.Agents,
            new AgentReconciler(Informers, applier, events, Pacer, builderOptions, loggerFactory.CreateLogger<AgentReconciler>(), time),
            controllerOptions,
            loggerFactory.CreateLogger("Drover.Controllers.Agents"),
            time);
        Schedules = new Controller<Schedule>(
            "schedules",
            Informers.Schedules,
            new ScheduleReconciler(Informers, applier, events, builderOptions, loggerFactory.CreateLogger<ScheduleReconciler>(), time),
            controllerOptions,
            loggerFactory.CreateLogger("Drover.Controllers.Schedules"),
            time);

        WireWatches();

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

    private void WireWatches()
    {
        var informers = Informers;

        // The pacer follows the Deployments as they change, before the agents hear of them. A finished (or deleted)
        // rollout frees a slot: agents waiting for one start now, not at their next retry.
        informers.Deployments.AddHandler(new ResourceChangeHandler<V1Deployment>
        {
            OnAdded = Pacer.Observe,
            OnUpdated = (old, current) =>
            {
                Pacer.Observe(current);
                if (DeploymentProgress.IsProgressing(old) && !DeploymentProgress.IsProgressing(current))
                {
                    WakeWaitingRollouts();
                }
            },
            OnDeleted = deployment =>
            {
                Pacer.Removed(ObjectKey.Of(deployment));
                WakeWaitingRollouts();
            },
        });

        ModelProviders.Watches(informers.Secrets, secret => Keys(informers.ModelProviders.Cache.ByIndex(OperatorInformers.ProvidersBySecret, Key(secret))));

        Agents.Owns(informers.ServiceAccounts)
            .Owns(informers.Secrets)
            .Owns(informers.Deployments)
            .Owns(informers.Services)
            .Owns(informers.NetworkPolicies)
            .Owns(informers.Claims);

        // A provider's status is written by this operator from the same inputs agents read, so only a change of its
        // spec (generation) or existence is news to an agent: one rotation reaches each agent once, not twice.
        informers.ModelProviders.AddHandler(new ResourceChangeHandler<ModelProvider>
        {
            OnAdded = provider => EnqueueAgentsOf(provider),
            OnUpdated = (old, current) =>
            {
                if (old.Metadata.Generation != current.Metadata.Generation)
                {
                    EnqueueAgentsOf(current);
                }
            },
            OnDeleted = provider => EnqueueAgentsOf(provider),
        });

        // A user's Secret (an API key) reaches agents through the providers that read it.
        informers.Secrets.AddHandler(new ResourceChangeHandler<V1Secret>
        {
            OnAdded = secret => EnqueueAgentsUsingSecret(secret),
            OnUpdated = (old, current) =>
            {
                if (!SameContent(old, current))
                {
                    EnqueueAgentsUsingSecret(current);
                }
            },
            OnDeleted = secret => EnqueueAgentsUsingSecret(secret),
        });

        // An in-cluster provider's Service decides the agent's NetworkPolicy peer.
        Agents.Watches(informers.Services, service =>
            informers.ModelProviders.Cache.ByIndex(OperatorInformers.ProvidersByService, Key(service)).SelectMany(AgentsOf).Distinct());
        Agents.Watches(informers.ConfigMaps, map => Keys(informers.Agents.Cache.ByIndex(OperatorInformers.ByConfigMap, Key(map))));

        // Namespace labels decide allowedNamespaces selectors: only a label change matters.
        informers.Namespaces.AddHandler(new ResourceChangeHandler<V1Namespace>
        {
            OnAdded = ns => EnqueueAgentsIn(ns),
            OnUpdated = (old, current) =>
            {
                if (!SameLabels(old.Metadata.Labels, current.Metadata.Labels))
                {
                    EnqueueAgentsIn(current);
                }
            },
        });

        Schedules.Owns(informers.CronJobs)
            .Watches(informers.Agents, agent => Keys(informers.Schedules.Cache.ByIndex(OperatorInformers.SchedulesByAgent, Key(agent))))
            .Watches(informers.ConfigMaps, map => Keys(informers.Schedules.Cache.ByIndex(OperatorInformers.ByConfigMap, Key(map))));
    }

    private void WakeWaitingRollouts()
    {
        foreach (var key in Pacer.TakeWaiting())
        {
            Agents.Queue.Add(key);
        }
    }

    private void EnqueueAgentsOf(ModelProvider provider)
    {
        foreach (var key in AgentsOf(provider))
        {
            Agents.Queue.Add(key);
        }
    }

    private void EnqueueAgentsUsingSecret(V1Secret secret)
    {
        var agents = Informers.ModelProviders.Cache.ByIndex(OperatorInformers.ProvidersBySecret, Key(secret))
            .SelectMany(AgentsOf)
            .ToHashSet();
        foreach (var key in agents)
        {
            Agents.Queue.Add(key);
        }
    }

    private void EnqueueAgentsIn(V1Namespace ns)
    {
        // Agents in other namespaces are only affected through cross-namespace providers; those are few.
        foreach (var agent in Informers.Agents.Cache.List(ns.Metadata.Name))
        {
            Agents.Queue.Add(ObjectKey.Of(agent));
        }
    }

    private IEnumerable<ObjectKey> AgentsOf(ModelProvider provider) =>
        Keys(Informers.Agents.Cache.ByIndex(OperatorInformers.AgentsByProvider, Key(provider)));

    private static IEnumerable<ObjectKey> Keys<T>(IEnumerable<T> objects)
        where T : IKubernetesObject<V1ObjectMeta> =>
        objects.Select(o => ObjectKey.Of(o));

    private static string Key(IKubernetesObject<V1ObjectMeta> obj) => OperatorInformers.Key(obj.Metadata.NamespaceProperty, obj.Metadata.Name);

    private static bool SameContent(V1Secret a, V1Secret b) =>
        a.Type == b.Type && SameBytes(a.Data, b.Data) && SameLabels(a.StringData, b.StringData);

    private static bool SameBytes(IDictionary<string, byte[]>? a, IDictionary<string, byte[]>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0))
        {
            return false;
        }

        foreach (var (key, value) in a ?? new Dictionary<string, byte[]>())
        {
            if (b is null || !b.TryGetValue(key, out var other) || !value.AsSpan().SequenceEqual(other))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameLabels(IDictionary<string, string>? a, IDictionary<string, string>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0))
        {
            return false;
        }

        foreach (var (key, value) in a ?? new Dictionary<string, string>())
        {
            if (b is null || !b.TryGetValue(key, out var other) || other != value)
            {
                return false;
            }
        }

        return true;
    }
}
