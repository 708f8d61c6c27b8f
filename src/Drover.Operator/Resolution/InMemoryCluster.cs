using Drover.Api.V1Alpha1;
using k8s;
using k8s.Models;

namespace Drover.Operator.Resolution;

/// <summary>
/// A lookup over a fixed set of objects, such as the documents handed to <c>drover render</c>.
/// A namespace that was not given is assumed to exist with only its automatic
/// <c>kubernetes.io/metadata.name</c> label, as every namespace has.
/// </summary>
internal sealed class InMemoryCluster : IClusterLookup
{
    public const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    private readonly Dictionary<(string Kind, string Namespace, string Name), object> _objects = [];
    private readonly List<Agent> _agents = [];
    private readonly List<ModelProvider> _providers = [];
    private readonly List<Schedule> _schedules = [];

    /// <summary>Redacted unless a caller holding a key says otherwise: an offline preview has no operator key.</summary>
    public SecretDigest SecretDigest { get; set; } = SecretDigest.Redacted;

    public IReadOnlyList<Agent> Agents => _agents;

    public IReadOnlyList<ModelProvider> ModelProviders => _providers;

    public IReadOnlyList<Schedule> Schedules => _schedules;

    /// <summary>Adds (or replaces, when kind, namespace and name match) one object.</summary>
    public void Add(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var key = (obj.Kind, obj.Metadata.NamespaceProperty ?? "", obj.Metadata.Name);
        if (_objects.TryGetValue(key, out var previous))
        {
            Forget(previous);
        }

        _objects[key] = obj;
        switch (obj)
        {
            case Agent agent:
                _agents.Add(agent);
                break;
            case ModelProvider provider:
                _providers.Add(provider);
                break;
            case Schedule schedule:
                _schedules.Add(schedule);
                break;
        }
    }

    public ModelProvider? ModelProvider(string ns, string name) => Find<ModelProvider>(Api.V1Alpha1.ModelProvider.KubeKind, ns, name);

    public Agent? Agent(string ns, string name) => Find<Agent>(Api.V1Alpha1.Agent.KubeKind, ns, name);

    public V1Secret? Secret(string ns, string name) => Find<V1Secret>(V1Secret.KubeKind, ns, name);

    public V1ConfigMap? ConfigMap(string ns, string name) => Find<V1ConfigMap>(V1ConfigMap.KubeKind, ns, name);

    public V1Service? Service(string ns, string name) => Find<V1Service>(V1Service.KubeKind, ns, name);

    /// <summary>Issues the gateway keys the files do not hold (a render prints them redacted unless asked).</summary>
    public Gateway.GatewayKeyIssuer GatewayKeys { get; set; } = new();

    public Gateway.GatewayKey GatewayKey(string ns, string secretName, string? ownerUid, string? rotation) =>
        GatewayKeys.KeyFor(ns, secretName, ownerUid, Gateway.GatewayKey.From(Secret(ns, secretName)), rotation);

    public IReadOnlyDictionary<string, string>? NamespaceLabels(string ns)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Find<V1Namespace>(V1Namespace.KubeKind, "", ns) is { Metadata.Labels: { } given })
        {
            foreach (var (key, value) in given)
            {
                labels[key] = value;
            }
        }

        labels[NamespaceNameLabel] = ns;
        return labels;
    }

    private T? Find<T>(string kind, string ns, string name)
        where T : class =>
        _objects.TryGetValue((kind, ns, name), out var found) ? found as T : null;

    private void Forget(object previous)
    {
        switch (previous)
        {
            case Agent agent:
                _agents.Remove(agent);
                break;
            case ModelProvider provider:
                _providers.Remove(provider);
                break;
            case Schedule schedule:
                _schedules.Remove(schedule);
                break;
        }
    }
}
