using System.Text.Json;
using System.Text.Json.Nodes;
using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Apply;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Controllers;
using Drover.ControllerRuntime.Informers;
using Drover.Operator.Cluster;
using k8s;
using k8s.Models;

namespace Drover.Operator.Children;

/// <summary>
/// The one registry of the kinds Drover creates: for each, where it lives on the API server, which cache holds it,
/// which kind owns it, and its place in the apply order. Apply, prune, the owner watches and <c>render</c> all come
/// from here, so a new child kind is one line here and one builder.
/// </summary>
internal static class ChildKinds
{
    public static ChildKind<V1ServiceAccount> ServiceAccounts { get; } = new(OperatorKinds.ServiceAccounts, c => c.ServiceAccounts, [typeof(Agent)]);

    /// <summary>An agent's configuration and gateway key; a Schedule's gateway key.</summary>
    public static ChildKind<V1Secret> Secrets { get; } = new(OperatorKinds.Secrets, c => c.Secrets, [typeof(Agent), typeof(Schedule)]);

    /// <summary>
    /// A retained workspace claim (storage.whenDeleted: Retain) has no owner: an Agent of the same name takes it up again,
    /// when Drover labelled it as that agent's workspace.
    /// </summary>
    public static ChildKind<V1PersistentVolumeClaim> Claims { get; } =
        new(OperatorKinds.PersistentVolumeClaims, c => c.Claims, [typeof(Agent)], adopts: (live, desired) => ChildLabels.SameChild(live.Metadata, desired.Metadata));

    public static ChildKind<V1Service> Services { get; } = new(OperatorKinds.Services, c => c.OwnedServices, [typeof(Agent)]);

    public static ChildKind<V1NetworkPolicy> NetworkPolicies { get; } = new(OperatorKinds.NetworkPolicies, c => c.NetworkPolicies, [typeof(Agent)]);

    public static ChildKind<V1Deployment> Deployments { get; } = new(OperatorKinds.Deployments, c => c.Deployments, [typeof(Agent)]);

    public static ChildKind<V1CronJob> CronJobs { get; } = new(OperatorKinds.CronJobs, c => c.CronJobs, [typeof(Schedule)]);

    /// <summary>Every child kind in apply order: what a pod needs (identity, configuration, volume) exists before the pod.</summary>
    public static IReadOnlyList<IChildKind> All { get; } = [ServiceAccounts, Secrets, Claims, Services, NetworkPolicies, Deployments, CronJobs];

    /// <summary>The API group and plural resource of every child kind, as RBAC rules name them.</summary>
    public static IEnumerable<(string Group, string Plural)> Resources => All.Select(k => (k.Group, k.Plural));

    /// <summary>The kinds an owner of type <typeparamref name="TOwner"/> creates.</summary>
    public static IEnumerable<IChildKind> OwnedBy<TOwner>() => All.Where(k => k.Owners.Contains(typeof(TOwner)));

    /// <summary>The registered kind of <paramref name="child"/>.</summary>
    public static IChildKind Of(IKubernetesObject<V1ObjectMeta> child)
    {
        ArgumentNullException.ThrowIfNull(child);
        return All.FirstOrDefault(k => k.Holds(child))
            ?? throw new ArgumentException($"{child.GetType().Name} is not a kind Drover creates; add it to {nameof(ChildKinds)}.", nameof(child));
    }

    /// <summary>The children that are not null, in apply order (stable within a kind).</summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> InApplyOrder(IEnumerable<IKubernetesObject<V1ObjectMeta>?> children) =>
        [.. children.OfType<IKubernetesObject<V1ObjectMeta>>().OrderBy(OrderOf)];

    /// <summary>The position of <paramref name="child"/>'s kind in <see cref="All"/>.</summary>
    public static int OrderOf(IKubernetesObject<V1ObjectMeta> child)
    {
        ArgumentNullException.ThrowIfNull(child);
        for (var i = 0; i < All.Count; i++)
        {
            if (All[i].Holds(child))
            {
                return i;
            }
        }

        throw new ArgumentException($"{child.GetType().Name} is not a kind Drover creates.", nameof(child));
    }
}

/// <summary>What the operator does with any child kind, whatever its type.</summary>
internal interface IChildKind
{
    /// <summary>The Kubernetes kind, for example Deployment.</summary>
    string Kind { get; }

    /// <summary>The API group (empty for the core group).</summary>
    string Group { get; }

    /// <summary>The plural resource, for example deployments.</summary>
    string Plural { get; }

    /// <summary>The types of the objects that own children of this kind.</summary>
    IReadOnlyList<Type> Owners { get; }

    bool Holds(IKubernetesObject<V1ObjectMeta> obj);

    /// <summary>The object as the API server would receive it, through source-generated JSON.</summary>
    JsonObject ToJson(IKubernetesObject<V1ObjectMeta> obj);

    /// <summary>
    /// Applies <paramref name="child"/> of <paramref name="owner"/> unless the cached copy already matches it, or another
    /// object holds its name. <paramref name="uncached"/> is the lookup <see cref="ReadIfUncached"/> started, if any.
    /// </summary>
    Task<OwnedApplyResult> ApplyAsync(ResourceApplier applier, OperatorInformers informers, IKubernetesObject<V1ObjectMeta> owner, IKubernetesObject<V1ObjectMeta> child, CancellationToken cancellationToken, Task<object?>? uncached = null);

    /// <summary>Starts reading <paramref name="child"/> from the API server when the cache does not hold it; null when it does.</summary>
    Task<object?>? ReadIfUncached(ResourceApplier applier, OperatorInformers informers, IKubernetesObject<V1ObjectMeta> child, CancellationToken cancellationToken);

    /// <summary>Deletes the owner's children of this kind whose names are not in <paramref name="wanted"/>; returns how many.</summary>
    Task<int> PruneAsync(ResourceApplier applier, OperatorInformers informers, IKubernetesObject<V1ObjectMeta> owner, IReadOnlySet<string> wanted, CancellationToken cancellationToken);

    /// <summary>Makes <paramref name="controller"/> reconcile the owner when one of its children of this kind changes.</summary>
    void Watch<TOwner>(Controller<TOwner> controller, OperatorInformers informers)
        where TOwner : class, IKubernetesObject<V1ObjectMeta>;
}

/// <summary>One child kind: its API resource and the cache that holds it.</summary>
/// <param name="resource">Where the kind lives on the API server.</param>
/// <param name="cache">The informer that holds Drover's objects of the kind.</param>
/// <param name="owners">The types of the objects that own them.</param>
/// <param name="adopts">Whether an existing object (live, desired) that no controller holds may be taken up as the desired one (null: never).</param>
internal sealed class ChildKind<T>(ResourceKind<T> resource, Func<OperatorInformers, Informer<T>> cache, Type[] owners, Func<T, T, bool>? adopts = null) : IChildKind
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private static readonly IReadOnlyDictionary<string, string> ManagedLabels =
        new Dictionary<string, string> { [ChildLabels.ManagedBy] = ChildLabels.ManagedByValue };

    public ResourceKind<T> Resource { get; } = resource;

    public string Kind => Resource.Kind;

    public string Group => Resource.Group;

    public string Plural => Resource.Plural;

    public IReadOnlyList<Type> Owners { get; } = owners;

    public Informer<T> Cache(OperatorInformers informers) => cache(informers);

    public bool Holds(IKubernetesObject<V1ObjectMeta> obj) => obj is T;

    public JsonObject ToJson(IKubernetesObject<V1ObjectMeta> obj) =>
        JsonSerializer.SerializeToNode((T)obj, Resource.TypeInfo) as JsonObject
        ?? throw new InvalidOperationException($"{Kind} did not serialise to a JSON object.");

    public Task<OwnedApplyResult> ApplyAsync(ResourceApplier applier, OperatorInformers informers, IKubernetesObject<V1ObjectMeta> owner, IKubernetesObject<V1ObjectMeta> child, CancellationToken cancellationToken, Task<object?>? uncached = null)
    {
        ArgumentNullException.ThrowIfNull(applier);
        ArgumentNullException.ThrowIfNull(child);
        var desired = (T)child;
        return applier.ApplyOwnedAsync(Resource, desired, cache(informers).Cache, owner, cancellationToken, adopts is null ? null : existing => adopts(existing, desired), uncached is null ? null : Typed(uncached));

        static async Task<T?> Typed(Task<object?> read) => (T?)await read;
    }

    public Task<object?>? ReadIfUncached(ResourceApplier applier, OperatorInformers informers, IKubernetesObject<V1ObjectMeta> child, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(applier);
        ArgumentNullException.ThrowIfNull(child);
        var (ns, name) = (child.Metadata.NamespaceProperty, child.Metadata.Name);
        // Only presence matters here, so the packed copy is not unpacked; the apply that follows reads it once.
        return cache(informers).Cache.Contains(ns, name) ? null : Read();

        async Task<object?> Read() => await applier.ReadAsync(Resource, ns, name, cancellationToken);
    }

    public Task<int> PruneAsync(ResourceApplier applier, OperatorInformers informers, IKubernetesObject<V1ObjectMeta> owner, IReadOnlySet<string> wanted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(applier);
        return applier.PruneAsync(Resource, cache(informers).Cache, owner, ManagedLabels, wanted, cancellationToken);
    }

    public void Watch<TOwner>(Controller<TOwner> controller, OperatorInformers informers)
        where TOwner : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(controller);
        controller.Owns(cache(informers));
    }
}
