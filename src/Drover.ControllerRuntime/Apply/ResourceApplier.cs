using System.Collections.Concurrent;
using System.Globalization;
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

    /// <summary>
    /// Nothing was sent: an object of that name exists and is not controlled by the owner the apply was made for, so
    /// writing it would take it over (<c>ResourceApplier.ApplyOwnedAsync</c>).
    /// </summary>
    Conflict,
}

/// <summary>What <c>ResourceApplier.ApplyOwnedAsync</c> did; <paramref name="HeldBy"/> names who controls a conflicting object.</summary>
public readonly record struct OwnedApplyResult(ApplyOutcome Outcome, string? HeldBy = null);

/// <summary>
/// Writes desired objects with server-side apply (field manager <c>drover</c> by default, forcing ownership), but
/// only when the cached live object does not already contain the desired fields. Every applied object carries a hash
/// of the whole applied body (<see cref="AppliedHashAnnotation"/>): when the desired object changes, even only by
/// losing a field, the hash differs and the full object is applied again, so the server removes what the manager no
/// longer applies. Also prunes children that are owned but no longer desired, and patches <c>/status</c> only when
/// it changed.
/// </summary>
public sealed class ResourceApplier
{
    private readonly KubeApiClient _client;

    // The last body applied to each existing object, with the resourceVersion the cache showed before it. Until the
    // cache shows a newer version, a reconcile woken by another event sees the object as it was before that apply;
    // sending the same body again would only be a duplicate write. An entry goes once the cache catches up.
    private readonly ConcurrentDictionary<ApplyKey, (string? LiveVersion, JsonObject Body)> _awaitingCache = new();

    public ResourceApplier(KubeApiClient client, string fieldManager = "drover")
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(fieldManager);
        _client = client;
        FieldManager = fieldManager;
    }

    /// <summary>The annotation holding the hash of the body last applied.</summary>
    public const string AppliedHashAnnotation = "drover.dev/applied-hash";

    public string FieldManager { get; }

    /// <summary>
    /// Applies <paramref name="desired"/> as a child controlled by <paramref name="owner"/>, unless an object of that name
    /// exists that the owner does not control (another owner's, or one nobody manages): then nothing is sent and the
    /// result is <see cref="ApplyOutcome.Conflict"/>. <paramref name="cache"/> may hold only managed objects, so an object
    /// it lacks is looked up once before it is created. An object no controller holds that <paramref name="adopts"/>
    /// accepts is applied too (a child kept when its owner went, taken up by its successor). <paramref name="uncached"/>
    /// is that lookup when the caller started it already (<see cref="ReadAsync{T}"/>), so that several children of one
    /// owner are looked up at once rather than one after another.
    /// Once a version of the object was found to be this owner's and to hold this very body, the cache keeps a mark
    /// saying so (<see cref="InformerCache{T}.SetMark"/>), and until the object or the body changes a resync learns it
    /// from that mark instead of unpacking and comparing again.
    /// </summary>
    public async Task<OwnedApplyResult> ApplyOwnedAsync<T>(ResourceKind<T> kind, T desired, InformerCache<T> cache, IKubernetesObject<V1ObjectMeta> owner, CancellationToken cancellationToken, Func<T, bool>? adopts = null, Task<T?>? uncached = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(owner);
        var body = Desired(kind, desired);
        var key = KeyOf(kind, desired);
        var mark = MarkOf(body, owner);
        if (cache.HasMark(key.Namespace, key.Name, mark))
        {
            RuntimeMetrics.ApplySkipped.WithLabels(kind.Resource).Inc();
            return new OwnedApplyResult(ApplyOutcome.Unchanged);
        }

        var live = cache.Get(key.Namespace, key.Name);
        var (result, held) = await ApplyOwnedCoreAsync(kind, body, key, live, owner, adopts, uncached, cancellationToken);
        if (held)
        {
            cache.SetMark(key.Namespace, key.Name, live!.Metadata?.ResourceVersion, mark);
        }

        return result;
    }

    /// <summary>The object as the API server has it now (null when there is none), for a name a cache does not hold.</summary>
    public Task<T?> ReadAsync<T>(ResourceKind<T> kind, string? ns, string name, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        _client.GetAsync(kind, ns, name, cancellationToken);

    /// <summary>Applies <paramref name="desired"/> unless <paramref name="live"/> (from a cache) already matches it.</summary>
    public async Task<ApplyOutcome> ApplyAsync<T>(ResourceKind<T> kind, T desired, T? live, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(desired);
        return (await ApplyBodyAsync(kind, Desired(kind, desired), KeyOf(kind, desired), live, cancellationToken)).Outcome;
    }

    // Held: live is controlled by the owner and already holds the body, so nothing was sent.
    private async Task<(OwnedApplyResult Result, bool Held)> ApplyOwnedCoreAsync<T>(
        ResourceKind<T> kind, JsonObject body, ApplyKey key, T? live, IKubernetesObject<V1ObjectMeta> owner, Func<T, bool>? adopts, Task<T?>? uncached, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var existing = live ?? await (uncached ?? ReadAsync(kind, key.Namespace, key.Name, cancellationToken));
        if (existing is not null)
        {
            var controller = existing.Metadata?.OwnerReferences?.FirstOrDefault(r => r.Controller == true);
            var adopted = controller is null && adopts is not null && adopts(existing);
            if (!adopted && (controller is null || string.IsNullOrEmpty(owner.Metadata?.Uid) || controller.Uid != owner.Metadata.Uid))
            {
                RuntimeMetrics.ApplyConflicts.WithLabels(kind.Resource).Inc();
                return (new OwnedApplyResult(ApplyOutcome.Conflict, controller is null ? null : $"{controller.Kind} {controller.Name}"), false);
            }
        }

        var (outcome, held) = await ApplyBodyAsync(kind, body, key, existing, cancellationToken);
        return (new OwnedApplyResult(outcome), held && live is not null);
    }

    // Held: live already holds every field of the body (not merely "the same body is on its way").
    private async Task<(ApplyOutcome Outcome, bool Held)> ApplyBodyAsync<T>(ResourceKind<T> kind, JsonObject body, ApplyKey key, T? live, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (live is not null && JsonSubset.IsSubsetOf(body, LiveTree(kind, live)))
        {
            _awaitingCache.TryRemove(key, out _);
            RuntimeMetrics.ApplySkipped.WithLabels(kind.Resource).Inc();
            return (ApplyOutcome.Unchanged, true);
        }

        if (live is not null
            && _awaitingCache.TryGetValue(key, out var pending)
            && pending.LiveVersion == live.Metadata?.ResourceVersion
            && JsonNode.DeepEquals(pending.Body, body))
        {
            RuntimeMetrics.ApplySkipped.WithLabels(kind.Resource).Inc();
            return (ApplyOutcome.Unchanged, false);
        }

        RuntimeMetrics.ApplySent.WithLabels(kind.Resource).Inc();
        await _client.ApplyAsync(kind, key.Namespace, key.Name, body, FieldManager, force: true, cancellationToken);
        if (live is null)
        {
            // A create: a cache without the object stays "absent" after a delete too, so it proves nothing.
            _awaitingCache.TryRemove(key, out _);
        }
        else
        {
            _awaitingCache[key] = (live.Metadata?.ResourceVersion, body);
        }

        return (ApplyOutcome.Applied, false);
    }

    private static ApplyKey KeyOf<T>(ResourceKind<T> kind, T desired)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        new(kind.Resource, desired.Metadata?.NamespaceProperty, desired.Metadata?.Name ?? string.Empty);

    /// <summary>
    /// 64 bits naming "this body, for this owner": the body's applied hash (SHA-256, <see cref="AppliedHashAnnotation"/>)
    /// folded with the owner's uid, so a body that is equal for a successor of the same name is not taken as checked.
    /// Never 0, which is "no mark".
    /// </summary>
    internal static ulong MarkOf(JsonObject body, IKubernetesObject<V1ObjectMeta> owner)
    {
        var hash = (string?)body["metadata"]?["annotations"]?[AppliedHashAnnotation] ?? string.Empty;
        var mark = ulong.Parse(hash, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

        // FNV-1a: stable and allocation-free; the SHA-256 half carries the strength.
        var uid = 14695981039346656037UL;
        foreach (var c in owner.Metadata?.Uid ?? string.Empty)
        {
            uid = (uid ^ c) * 1099511628211UL;
        }

        return (mark ^ uid) is 0 ? 1 : mark ^ uid;
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

    /// <summary>
    /// The body an apply of <paramref name="desired"/> sends: server-set fields stripped, the applied hash added. What the
    /// live object holds after that apply, for the fields the manager owns.
    /// </summary>
    public static JsonObject Desired<T>(ResourceKind<T> kind, T desired)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(desired);
        if (JsonSerializer.SerializeToNode(desired, kind.TypeInfo) is not JsonObject body)
        {
            throw new ArgumentException("The desired object did not serialise to a JSON object.", nameof(desired));
        }

        body["apiVersion"] = kind.ApiVersion;
        body["kind"] = kind.Kind;
        ServerSetFields.Strip(body);

        // The hash is part of the body, so the subset test that skips an unchanged apply also notices a removed field.
        var metadata = body["metadata"] as JsonObject ?? [];
        body["metadata"] = metadata;
        if (metadata["annotations"] is JsonObject existing)
        {
            existing.Remove(AppliedHashAnnotation);
        }

        var hash = JsonCanonical.Hash(body);
        var annotations = metadata["annotations"] as JsonObject ?? [];
        annotations[AppliedHashAnnotation] = hash;
        metadata["annotations"] = annotations;
        return body;
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

/// <summary>Which object an apply is for.</summary>
internal readonly record struct ApplyKey(string Resource, string? Namespace, string Name);
