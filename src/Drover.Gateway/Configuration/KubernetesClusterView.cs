using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Informers;
using Drover.Gateway.Telemetry;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Drover.Gateway.Configuration;

/// <summary>
/// The Kubernetes configuration source: informers on Agents, Schedules and ModelProviders (in the watched
/// namespaces), on only the Secrets the gateway may read (labelled gateway keys and labelled provider credentials),
/// and on Namespaces (for allowedNamespaces selectors). Gateway key Secrets feed the digest index as they change,
/// so a new, rotated or deleted key is in force on the next request.
/// </summary>
internal sealed class KubernetesClusterView : IClusterView
{
    private readonly Informer<Agent> _agents;
    private readonly Informer<Schedule> _schedules;
    private readonly Informer<ModelProvider> _providers;
    private readonly Informer<V1Secret> _keySecrets;
    private readonly Informer<V1Secret> _credentials;
    private readonly Informer<V1Namespace> _namespaces;

    public KubernetesClusterView(KubeApiClient client, IReadOnlyList<string> namespaces, ILoggerFactory loggers, TimeProvider time)
    {
        var scoped = new InformerOptions { Namespaces = namespaces, StripManagedFields = true };
        _agents = new Informer<Agent>(client, GatewayKinds.Agents, scoped, loggers.CreateLogger("Drover.Gateway.Informers"), time);
        _schedules = new Informer<Schedule>(client, GatewayKinds.Schedules, scoped, loggers.CreateLogger("Drover.Gateway.Informers"), time);
        _providers = new Informer<ModelProvider>(client, GatewayKinds.ModelProviders, scoped, loggers.CreateLogger("Drover.Gateway.Informers"), time);
        _keySecrets = new Informer<V1Secret>(client, GatewayKinds.Secrets, scoped with { LabelSelector = GatewayLabels.GatewayKeySelector }, loggers.CreateLogger("Drover.Gateway.Informers"), time);
        _credentials = new Informer<V1Secret>(client, GatewayKinds.Secrets, scoped with { LabelSelector = GatewayLabels.ProviderCredentialsSelector }, loggers.CreateLogger("Drover.Gateway.Informers"), time);
        _namespaces = new Informer<V1Namespace>(client, GatewayKinds.Namespaces, new InformerOptions { StripManagedFields = true }, loggers.CreateLogger("Drover.Gateway.Informers"), time);
        _keySecrets.AddHandler(new ResourceChangeHandler<V1Secret>
        {
            OnAdded = secret => Changed(() => Keys.Put(secret)),
            OnUpdated = (_, secret) => Changed(() => Keys.Put(secret)),
            OnDeleted = secret => Changed(() => Keys.Remove(secret)),
        });
    }

    public GatewayKeys Keys { get; } = new();

    public IReadOnlyList<IInformer> Informers => [_agents, _schedules, _providers, _keySecrets, _credentials, _namespaces];

    public IReadOnlyList<Agent> Agents => _agents.Cache.List();

    public IReadOnlyList<Schedule> Schedules => _schedules.Cache.List();

    public Agent? Agent(string ns, string name) => _agents.Cache.Get(ns, name);

    public Schedule? Schedule(string ns, string name) => _schedules.Cache.Get(ns, name);

    public ModelProvider? Provider(string ns, string name) => _providers.Cache.Get(ns, name);

    public V1Secret? CredentialSecret(string ns, string name) => _credentials.Cache.Get(ns, name);

    public IReadOnlyDictionary<string, string>? NamespaceLabels(string ns) =>
        _namespaces.Cache.Get(null, ns) is { } found ? (IReadOnlyDictionary<string, string>)(found.Metadata.Labels ?? new Dictionary<string, string>()) : null;

    private void Changed(Action change)
    {
        change();
        GatewayMetrics.Keys.Set(Keys.Count);
    }
}
