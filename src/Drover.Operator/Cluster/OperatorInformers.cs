using Drover.Api;
using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Informers;
using Drover.Operator.Agents;
using Drover.Operator.Children;
using Drover.Operator.Gateway;
using Drover.Operator.Resolution;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Drover.Operator.Cluster;

/// <summary>
/// Every cache the reconcilers read. Also the <see cref="IClusterLookup"/> the pure resolvers read through, so the
/// hot path never GETs. The secondary indexes that map an input back to the objects using it are declared by each
/// kind's references (<c>ProviderReferences</c>, <c>AgentReferences</c>, <c>ScheduleReferences</c>).
/// </summary>
internal sealed class OperatorInformers : IClusterLookup
{
    public OperatorInformers(KubeApiClient client, IReadOnlyList<string> namespaces, SecretDigest digest, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(digest);
        SecretDigest = digest;
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(namespaces);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var logger = loggerFactory.CreateLogger("Drover.Informers");
        // Nothing here reads managedFields (applies compare desired fields with live ones), so none are cached.
        // Objects are kept packed: a reconcile reads a handful of them, while a fleet of 10,000 agents keeps over
        // 50,000 in these caches, which as typed objects took several hundred MB.
        var all = new InformerOptions { Namespaces = namespaces, StripManagedFields = true, PackObjects = true };

        // Children carry the managed-by label; caching only those keeps memory flat in a busy cluster.
        var owned = all with { LabelSelector = $"{ChildLabels.ManagedBy}={ChildLabels.ManagedByValue}" };
        Agents = new Informer<Agent>(client, OperatorKinds.Agents, all, logger);
        ModelProviders = new Informer<ModelProvider>(client, OperatorKinds.ModelProviders, all, logger);
        Schedules = new Informer<Schedule>(client, OperatorKinds.Schedules, all, logger);

        // Of users' Secrets, only those labelled as provider credentials are read: a provider cannot name any other
        // Secret of its namespace, and Helm release Secrets and the like never enter the cache. The operator's own
        // Secrets carry the managed-by label; no selector can say "either", so they are two informers.
        CredentialSecrets = new Informer<V1Secret>(client, OperatorKinds.Secrets, all with { LabelSelector = DroverLabels.ProviderCredentialsSelector }, logger);
        Secrets = new Informer<V1Secret>(client, OperatorKinds.Secrets, owned, logger);

        // ConfigMaps (instructions) and Services (in front of in-cluster model servers) are cached only where an Agent or
        // a ModelProvider refers to them by name (AgentReferences, ProviderReferences): no cluster-wide list of either.
        ConfigMaps = new ReferencedObjects<V1ConfigMap>(client, OperatorKinds.ConfigMaps, all, logger);
        Services = new ReferencedObjects<V1Service>(client, OperatorKinds.Services, all, logger);
        Namespaces = new Informer<V1Namespace>(client, OperatorKinds.Namespaces, new InformerOptions { StripManagedFields = true }, logger);
        OwnedServices = new Informer<V1Service>(client, OperatorKinds.Services, owned, logger);
        ServiceAccounts = new Informer<V1ServiceAccount>(client, OperatorKinds.ServiceAccounts, owned, logger);
        Deployments = new Informer<V1Deployment>(client, OperatorKinds.Deployments, owned, logger);
        NetworkPolicies = new Informer<V1NetworkPolicy>(client, OperatorKinds.NetworkPolicies, owned, logger);
        Claims = new Informer<V1PersistentVolumeClaim>(client, OperatorKinds.PersistentVolumeClaims, owned, logger);
        CronJobs = new Informer<V1CronJob>(client, OperatorKinds.CronJobs, owned, logger);

        // Only the runs of Schedules (their CronJobs' Jobs carry the job template's labels), never the cluster's other Jobs.
        Jobs = new Informer<V1Job>(
            client,
            OperatorKinds.Jobs,
            all with { LabelSelector = $"{ChildLabels.ManagedBy}={ChildLabels.ManagedByValue},{ChildLabels.Component}={ChildLabels.ScheduleComponent}" },
            logger);

        // The agents' always-on pods, for why they wait (an image that cannot be pulled, a crash loop): selected by
        // Drover's labels, so the operator never lists the cluster's other pods. Of those it holds only the few a person
        // must look at: a healthy fleet's pods, one per agent, would be the largest cache of all, and nobody reads them.
        Pods = new Informer<V1Pod>(client, OperatorKinds.Pods, all with { LabelSelector = AgentPods.Selector }, logger, select: AgentPods.NeedsAttention);
        AgentPods.Register(this);
    }

    public SecretDigest SecretDigest { get; }

    public Informer<Agent> Agents { get; }

    public Informer<ModelProvider> ModelProviders { get; }

    public Informer<Schedule> Schedules { get; }

    /// <summary>Secrets labelled as provider credentials (<see cref="DroverLabels.ProviderCredentials"/>): the only ones resolution reads.</summary>
    public Informer<V1Secret> CredentialSecrets { get; }

    /// <summary>The Secrets Drover manages (its children).</summary>
    public Informer<V1Secret> Secrets { get; }

    /// <summary>The ConfigMaps something refers to by name.</summary>
    public ReferencedObjects<V1ConfigMap> ConfigMaps { get; }

    /// <summary>The Services something refers to by name; the agents' own Services are in <see cref="OwnedServices"/>.</summary>
    public ReferencedObjects<V1Service> Services { get; }

    /// <summary>The Services Drover manages (agents with a port).</summary>
    public Informer<V1Service> OwnedServices { get; }

    public Informer<V1Namespace> Namespaces { get; }

    public Informer<V1ServiceAccount> ServiceAccounts { get; }

    public Informer<V1Deployment> Deployments { get; }

    public Informer<V1NetworkPolicy> NetworkPolicies { get; }

    public Informer<V1PersistentVolumeClaim> Claims { get; }

    public Informer<V1CronJob> CronJobs { get; }

    /// <summary>The runs of Schedules: Jobs their CronJobs started.</summary>
    public Informer<V1Job> Jobs { get; }

    /// <summary>The agents' always-on pods (<see cref="AgentPods.Selector"/>) that wait for a person (<see cref="AgentPods.NeedsAttention"/>).</summary>
    public Informer<V1Pod> Pods { get; }

    public IReadOnlyList<IInformer> All =>
        [Agents, ModelProviders, Schedules, CredentialSecrets, Secrets, ConfigMaps, Services, OwnedServices, Namespaces, ServiceAccounts, Deployments, NetworkPolicies, Claims, CronJobs, Jobs, Pods];

    /// <summary>How long a reconcile waits for a referenced object it is about to read to be listed.</summary>
    public static readonly TimeSpan ReferenceWait = TimeSpan.FromSeconds(10);

    /// <summary>The index value naming an object in <paramref name="ns"/> called <paramref name="name"/>.</summary>
    public static string Key(string? ns, string name) => $"{ns}/{name}";

    /// <summary>The index value naming <paramref name="obj"/> itself.</summary>
    public static string Key(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return Key(obj.Metadata.NamespaceProperty, obj.Metadata.Name);
    }

    ModelProvider? IClusterLookup.ModelProvider(string ns, string name) => ModelProviders.Cache.Get(ns, name);

    Agent? IClusterLookup.Agent(string ns, string name) => Agents.Cache.Get(ns, name);

    V1Secret? IClusterLookup.Secret(string ns, string name) => CredentialSecrets.Cache.Get(ns, name);

    V1ConfigMap? IClusterLookup.ConfigMap(string ns, string name) => ConfigMaps.Get(ns, name);

    V1Service? IClusterLookup.Service(string ns, string name) => Services.Get(ns, name);

    /// <summary>Issues gateway keys; the owned Secrets cache says which are already held.</summary>
    public GatewayKeyIssuer GatewayKeys { get; } = new();

    GatewayKey IClusterLookup.GatewayKey(string ns, string secretName, string? ownerUid, string? rotation) =>
        GatewayKeys.KeyFor(ns, secretName, ownerUid, Gateway.GatewayKey.From(Secrets.Cache.Get(ns, secretName)), rotation);

    IReadOnlyDictionary<string, string>? IClusterLookup.NamespaceLabels(string ns)
    {
        if (Namespaces.Cache.Get(null, ns) is not { } found)
        {
            return null;
        }

        var labels = new Dictionary<string, string>(found.Metadata.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [InMemoryCluster.NamespaceNameLabel] = ns,
        };
        return labels;
    }
}
