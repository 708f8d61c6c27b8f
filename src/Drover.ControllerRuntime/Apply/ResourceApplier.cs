using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Informers;
using Drover.ControllerRuntime.Observability;
using k8s;
using k8s.Models;

namespace Drover.ControllerRuntime.Apply;

public enum ApplyOutcome
{
    /// <summary>The live object already held every desired field; no request was sent.</summary>
    Unchanged,

    /// <summary>A server-side apply was sent.</summary>
    Applied,
}

/// <summary>
/// Writes desired objects with server-side apply (field manager <c>drover</c> by default, forcing ownership), but
/// only when the cached live object does not already contain the desired fields. Also prunes children that are
/// owned but no longer desired, and patches <c>/status</c> only when it changed.
/// </summary>
public sealed class ResourceApplier
{
    private readonly KubeApiClient _client;

    // The last body applied to each existing object, with the resourceVersion the cache showed before it. Until the
    // cache shows a newer version, a reconcile woken by another event sees the object as it was before that apply;
    // sending the same body again would only be a duplicate write. An entry goes once the cache catches up.
    private readonly ConcurrentDictionary<(string Resource, string? Namespace, string Name), (string? LiveVersion, JsonObject Body)> _awaitingCache = new();

    public ResourceApplier(KubeApiClient client, string fieldManager = "drover")
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(fieldManager);
        _client = client;
        FieldManager = fieldManager;
    }

    public string FieldManager { get; }

    /// <summary>Applies <paramref name="desired"/> unless <paramref name="live"/> (from a cache) already matches it.</summary>
    public async Task<ApplyOutcome> ApplyAsync<T>(ResourceKind<T> kind, T desired, T? live, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(desired);
        var body = Desired(kind, desired);
        var key = (kind.Resource, desired.Metadata?.NamespaceProperty, desired.Metadata?.Name ?? string.Empty);
        if (live is not null && JsonSubset.IsSubsetOf(body, LiveTree(kind, live)))
        {
            _awaitingCache.TryRemove(key, out _);
            RuntimeMetrics.ApplySkipped.WithLabels(kind.Resource).Inc();
            return ApplyOutcome.Unchanged;
        }

        if (live is not null
            && _awaitingCache.TryGetValue(key, out var pending)
            && pending.LiveVersion == live.Metadata?.ResourceVersion
            && JsonNode.DeepEquals(pending.Body, body))
        {
            RuntimeMetrics.ApplySkipped.WithLabels(kind.Resource).Inc();
            return ApplyOutcome.Unchanged;
        }

        RuntimeMetrics.ApplySent.WithLabels(kind.Resource).Inc();
        await _client.ApplyAsync(kind, key.Item2, key.Item3, body, FieldManager, force: true, cancellationToken);
        if (live is null)
        {
            // A create: a cache without the object stays "absent" after a delete too, so it proves nothing.
            _awaitingCache.TryRemove(key, out _);
        }
        else
        {
            _awaitingCache[key] = (live.Metadata?.ResourceVersion, body);
        }

        return ApplyOutcome.Applied;
    }

    /// <summary>
    /// Deletes children of one kind in the owner's namespace that carry the owner's uid in an ownerReference and
    /// match <paramref name="labels"/>, but whose names are not in <paramref name="desiredNames"/>. Returns how many.
    /// </summary>
    public async Task<int> PruneAsync<TChild>(
        ResourceKind<TChild> kind,
        InformerCache<TChild> children,
        IKubernetesObject<V1ObjectMeta> owner,
        IReadOnlyDictionary<string, string>? labels,
        IReadOnlySet<string> desiredNames,
        CancellationToken cancellationToken)
        where TChild : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(children);
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(desiredNames);
        var ownerUid = owner.Metadata?.Uid;
        if (string.IsNullOrEmpty(ownerUid))
        {
            return 0;
        }

        var pruned = 0;
        foreach (var key in children.KeysOwnedBy(ownerUid))
        {
            // Most owned children are wanted; only the others are worth reading from a packed cache.
            if (desiredNames.Contains(key.Name) || children.Get(key) is not { } child)
            {
                continue;
            }

            var meta = child.Metadata;
            if (meta is null
                || meta.NamespaceProperty != owner.Metadata!.NamespaceProperty
                || desiredNames.Contains(meta.Name)
                || meta.DeletionTimestamp is not null
                || meta.OwnerReferences?.Any(r => r.Uid == ownerUid) != true
                || !MatchesLabels(meta.Labels, labels))
            {
                continue;
            }

            if (await _client.DeleteAsync(kind, meta.NamespaceProperty, meta.Name, meta.Uid, cancellationToken))
            {
                pruned++;
            }
        }

        return pruned;
    }

    /// <summary>
    /// Merge-patches the object itself, for the rare change that must not wait for a full desired object (such as
    /// suspending a CronJob whose inputs are gone). The next <see cref="ApplyAsync"/> restores what it owns.
    /// </summary>
    public Task<T> MergePatchAsync<T>(ResourceKind<T> kind, T live, JsonObject patch, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(patch);
        return _client.MergePatchAsync(kind, live.Metadata?.NamespaceProperty, live.Metadata?.Name ?? string.Empty, patch, subresource: null, cancellationToken);
    }

    /// <summary>
    /// Merge-patches <c>/status</c> from <paramref name="live"/>'s status to <paramref name="desired"/>'s, and only
    /// when they differ. Returns whether a request was sent.
    /// </summary>
    public async Task<bool> PatchStatusAsync<T>(ResourceKind<T> kind, T live, T desired, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(desired);
        var before = JsonSerializer.SerializeToNode(live, kind.TypeInfo)?["status"];
        var after = JsonSerializer.SerializeToNode(desired, kind.TypeInfo)?["status"];
        if (JsonNode.DeepEquals(before, after))
        {
            return false;
        }

        var patch = new JsonObject { ["status"] = JsonMergePatch.Create(before, after) };
        await _client.MergePatchAsync(kind, live.Metadata?.NamespaceProperty, live.Metadata?.Name ?? string.Empty, patch, "status", cancellationToken);
        return true;
    }

    private static JsonObject Desired<T>(ResourceKind<T> kind, T desired)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (JsonSerializer.SerializeToNode(desired, kind.TypeInfo) is not JsonObject body)
        {
            throw new ArgumentException("The desired object did not serialise to a JSON object.", nameof(desired));
        }

        body["apiVersion"] = kind.ApiVersion;
        body["kind"] = kind.Kind;
        return ServerSetFields.Strip(body);
    }

    /// <summary>The live object as JSON; list items and hand-made objects may lack apiVersion/kind, which the endpoint implies.</summary>
    private static JsonNode? LiveTree<T>(ResourceKind<T> kind, T live)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var tree = JsonSerializer.SerializeToNode(live, kind.TypeInfo);
        if (tree is JsonObject o)
        {
            o["apiVersion"] ??= kind.ApiVersion;
            o["kind"] ??= kind.Kind;
        }

        return tree;
    }

    private static bool MatchesLabels(IDictionary<string, string>? actual, IReadOnlyDictionary<string, string>? wanted)
    {
        if (wanted is null)
        {
            return true;
        }

        foreach (var (key, value) in wanted)
        {
            if (actual is null || !actual.TryGetValue(key, out var present) || present != value)
            {
                return false;
            }
        }

        return true;
    }
}
