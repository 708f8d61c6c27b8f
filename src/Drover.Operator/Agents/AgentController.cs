using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Controllers;
using Drover.Operator.Children;
using Drover.Operator.Cluster;
using Drover.Operator.Gateway;
using Drover.Operator.ModelProviders;
using Drover.Operator.Rollouts;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Drover.Operator.Agents;

/// <summary>
/// What the agent controller watches, and which agents each event concerns (as kubebuilder's SetupWithManager):
/// its own children, the providers of its chain (<see cref="AgentReferences"/>), whatever those providers read
/// (<see cref="ProviderReferences"/>), its instructions ConfigMap, and its namespace's labels.
/// </summary>
internal static class AgentController
{
    public const string Name = "agents";

    public static Controller<Agent> Create(
        OperatorInformers informers,
        AgentReconciler reconciler,
        RolloutPacer pacer,
        ControllerOptions options,
        ILogger logger,
        TimeProvider time,
        GatewayEndpoint? gateway = null)
    {
        ArgumentNullException.ThrowIfNull(informers);
        ArgumentNullException.ThrowIfNull(pacer);
        var controller = new Controller<Agent>(Name, informers.Agents, reconciler, options, logger, time);

        // Before the owner watch, so the pacer has seen a Deployment change by the time its agent is reconciled. A
        // finished (or deleted) rollout frees a slot: agents waiting for one start now, not at their next retry.
        pacer.Follow(informers.Deployments, controller.Queue.Add);
        foreach (var kind in ChildKinds.OwnedBy<Agent>())
        {
            kind.Watch(controller, informers);
        }

        // A provider's status is written by this operator from the same inputs agents read, so only a change of its
        // spec (generation) or existence is news to an agent: one rotation reaches each agent once, not twice.
        controller.Watches(
            informers.ModelProviders,
            provider => AgentsUsing(informers, OperatorInformers.Key(provider)),
            new WatchFilter<ModelProvider> { OnUpdated = (old, current) => ObjectChanges.Generation(old.Metadata, current.Metadata) });

        // What a provider reads reaches the agents through the providers reading it: a key (Secret), and the Service in
        // front of an in-cluster model server, which decides the agent's NetworkPolicy peer.
        controller.Watches(
            informers.CredentialSecrets,
            secret => AgentsThrough(informers, ProviderReferences.BySecret, secret.Metadata),
            new WatchFilter<V1Secret> { OnUpdated = ObjectChanges.SecretContent });
        controller.Watches(
            informers.Services,
            service => IsGateway(gateway, service.Metadata)
                ? informers.Agents.Cache.Keys()
                : AgentsThrough(informers, ProviderReferences.ByService, service.Metadata),
            new WatchFilter<V1Service> { OnUpdated = ObjectChanges.ServiceRouting });

        // A pod's waiting reason (ImagePullBackOff, CrashLoopBackOff) reaches its agent's Ready within seconds. The cache
        // holds only pods that wait for a person, so a pod entering it (starting to wait) or leaving it (started, gone) is
        // news; while it stays, only a new reason or message is.
        controller.Watches(
            informers.Pods,
            pod => AgentPods.AgentOf(pod) is { } agent ? [agent] : [],
            new WatchFilter<V1Pod> { OnUpdated = AgentPods.WaitingChanged });

        controller.Watches(informers.ConfigMaps, map => informers.Agents.Cache.KeysByIndex(AgentReferences.ByConfigMap, OperatorInformers.Key(map)));

        // Namespace labels decide allowedNamespaces selectors: only a label change matters, and only to the agents of
        // that namespace (agents elsewhere are not affected by it).
        controller.Watches(
            informers.Namespaces,
            ns => informers.Agents.Cache.Keys(ns.Metadata.Name),
            new WatchFilter<V1Namespace>
            {
                OnUpdated = (old, current) => ObjectChanges.Labels(old.Metadata, current.Metadata),
                OnDeleted = _ => false,
            });
        return controller;
    }

    // The gateway's Service decides every Gateway-mode agent's NetworkPolicy peer.
    private static bool IsGateway(GatewayEndpoint? gateway, V1ObjectMeta service) =>
        gateway?.Service is { } target && target.Namespace == service.NamespaceProperty && target.Name == service.Name;

    private static IEnumerable<ObjectKey> AgentsUsing(OperatorInformers informers, string providerKey) =>
        informers.Agents.Cache.KeysByIndex(AgentReferences.ByProvider, providerKey);

    private static IEnumerable<ObjectKey> AgentsThrough(OperatorInformers informers, string providerIndex, V1ObjectMeta input) =>
        informers.ModelProviders.Cache.KeysByIndex(providerIndex, OperatorInformers.Key(input.NamespaceProperty, input.Name))
            .SelectMany(provider => AgentsUsing(informers, OperatorInformers.Key(provider.Namespace, provider.Name)))
            .Distinct();
}
