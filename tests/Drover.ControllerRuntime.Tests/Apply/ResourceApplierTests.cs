using Drover.ControllerRuntime.Apply;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Informers;
using k8s;
using k8s.Models;

namespace Drover.ControllerRuntime.Tests.Apply;

public sealed class ResourceApplierTests : IDisposable
{
    private static readonly ResourceKind<V1ConfigMap> ConfigMaps =
        new(string.Empty, "v1", "configmaps", "ConfigMap", namespaced: true, SourceGenerationContext.Default.V1ConfigMap);

    private readonly RecordingHandler _handler = new();
    private readonly HttpClient _http;
    private readonly ResourceApplier _applier;

    public ResourceApplierTests()
    {
        _http = new HttpClient(_handler);
        _applier = new ResourceApplier(new KubeApiClient(_http, new Uri("http://api")));
    }

    [Fact]
    public async Task Apply_sends_a_forced_server_side_apply_as_drover_when_the_live_object_differs()
    {
        var desired = ConfigMap("a", ("k", "v"));
        Assert.Equal(ApplyOutcome.Applied, await _applier.ApplyAsync(ConfigMaps, desired, live: null, CancellationToken.None));
        Assert.Equal(ApplyOutcome.Applied, await _applier.ApplyAsync(ConfigMaps, desired, ConfigMap("a", ("k", "old")), CancellationToken.None));

        Assert.Equal(2, _handler.Requests.Count);
        var (method, path, contentType, body) = _handler.Requests[0];
        Assert.Equal(HttpMethod.Patch, method);
        Assert.Equal("/api/v1/namespaces/ns/configmaps/a?fieldManager=drover&force=true", path);
        Assert.Equal("application/apply-patch+yaml", contentType);
        Assert.Equal("v1", (string?)body!["apiVersion"]);
        Assert.Equal("ConfigMap", (string?)body["kind"]);
        Assert.Null(body["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public async Task The_same_body_is_not_sent_again_until_the_cache_shows_a_newer_version()
    {
        var stale = ConfigMap("a", ("k", "old"));
        stale.Metadata.ResourceVersion = "7";
        var desired = ConfigMap("a", ("k", "v"));

        Assert.Equal(ApplyOutcome.Applied, await _applier.ApplyAsync(ConfigMaps, desired, stale, CancellationToken.None));
        // Woken again before the watch delivered the apply: the cache still shows version 7.
        Assert.Equal(ApplyOutcome.Unchanged, await _applier.ApplyAsync(ConfigMaps, ConfigMap("a", ("k", "v")), stale, CancellationToken.None));
        Assert.Single(_handler.Requests);

        // A different body is sent at once, and so is the same body once someone else has changed the object.
        Assert.Equal(ApplyOutcome.Applied, await _applier.ApplyAsync(ConfigMaps, ConfigMap("a", ("k", "v2")), stale, CancellationToken.None));
        var edited = ConfigMap("a", ("k", "edited"));
        edited.Metadata.ResourceVersion = "9";
        Assert.Equal(ApplyOutcome.Applied, await _applier.ApplyAsync(ConfigMaps, ConfigMap("a", ("k", "v2")), edited, CancellationToken.None));
        Assert.Equal(3, _handler.Requests.Count);
    }

    [Fact]
    public async Task Apply_sends_nothing_when_the_cached_object_already_has_every_desired_field()
    {
        var live = ConfigMap("a", ("k", "v"), ("added-by-someone-else", "x"));
        live.Metadata.ResourceVersion = "42";
        live.Metadata.Uid = "u";
        live.Metadata.ManagedFields = [new V1ManagedFieldsEntry { Manager = "drover" }];
        // What the last apply of this very body left on the object.
        var appliedHash = (string?)ResourceApplier.Desired(ConfigMaps, ConfigMap("a", ("k", "v")))["metadata"]!["annotations"]![ResourceApplier.AppliedHashAnnotation];
        live.Metadata.Annotations = new Dictionary<string, string> { [ResourceApplier.AppliedHashAnnotation] = appliedHash! };

        Assert.Equal(ApplyOutcome.Unchanged, await _applier.ApplyAsync(ConfigMaps, ConfigMap("a", ("k", "v")), live, CancellationToken.None));
        Assert.Empty(_handler.Requests);

        // An object written before the hash existed (or by a different body) is applied once, which stamps the hash.
        live.Metadata.Annotations = null;
        Assert.Equal(ApplyOutcome.Applied, await _applier.ApplyAsync(ConfigMaps, ConfigMap("a", ("k", "v")), live, CancellationToken.None));
        Assert.Single(_handler.Requests);
    }

    [Fact]
    public async Task A_cached_child_found_to_hold_its_body_is_marked_until_it_the_body_or_the_owner_changes()
    {
        var owner = ConfigMap("owner");
        owner.Metadata.Uid = "owner-uid";
        var cache = new InformerCache<V1ConfigMap>(SourceGenerationContext.Default.V1ConfigMap);
        var desired = Child("a", "owner-uid", managed: true);
        desired.Data = new Dictionary<string, string> { ["k"] = "v" };
        var body = ResourceApplier.Desired(ConfigMaps, desired);
        var live = Child("a", "owner-uid", managed: true);
        live.Data = new Dictionary<string, string> { ["k"] = "v" };
        live.Metadata.ResourceVersion = "42";
        live.Metadata.Annotations = new Dictionary<string, string> { [ResourceApplier.AppliedHashAnnotation] = (string)body["metadata"]!["annotations"]![ResourceApplier.AppliedHashAnnotation]! };
        cache.Set(live);
        var mark = ResourceApplier.MarkOf(body, owner);

        Assert.Equal(ApplyOutcome.Unchanged, (await _applier.ApplyOwnedAsync(ConfigMaps, desired, cache, owner, CancellationToken.None)).Outcome);
        Assert.True(cache.HasMark("ns", "a", mark));
        Assert.Equal(ApplyOutcome.Unchanged, (await _applier.ApplyOwnedAsync(ConfigMaps, desired, cache, owner, CancellationToken.None)).Outcome);
        Assert.Empty(_handler.Requests);

        // The mark answers only for this body and this owner: a new body is applied, a successor of the same name is refused.
        var successor = ConfigMap("owner");
        successor.Metadata.Uid = "successor-uid";
        Assert.Equal(ApplyOutcome.Conflict, (await _applier.ApplyOwnedAsync(ConfigMaps, desired, cache, successor, CancellationToken.None)).Outcome);
        var changed = Child("a", "owner-uid", managed: true);
        changed.Data = new Dictionary<string, string> { ["k"] = "v2" };
        Assert.Equal(ApplyOutcome.Applied, (await _applier.ApplyOwnedAsync(ConfigMaps, changed, cache, owner, CancellationToken.None)).Outcome);
        Assert.Single(_handler.Requests);

        // Someone edits the object: the new version carries no mark, so the edit is seen and undone.
        var edited = Child("a", "owner-uid", managed: true);
        edited.Data = new Dictionary<string, string> { ["k"] = "edited" };
        edited.Metadata.ResourceVersion = "43";
        edited.Metadata.Annotations = live.Metadata.Annotations;
        cache.Set(edited);
        Assert.False(cache.HasMark("ns", "a", mark));
        Assert.Equal(ApplyOutcome.Applied, (await _applier.ApplyOwnedAsync(ConfigMaps, desired, cache, owner, CancellationToken.None)).Outcome);
        Assert.Equal(2, _handler.Requests.Count);
        Assert.False(cache.HasMark("ns", "a", mark));
    }

    [Fact]
    public async Task Status_is_merge_patched_through_the_subresource_only_when_it_changed()
    {
        var live = new V1Namespace { Metadata = new V1ObjectMeta { Name = "n" }, Status = new V1NamespaceStatus { Phase = "Active" } };
        var kind = new ResourceKind<V1Namespace>(string.Empty, "v1", "namespaces", "Namespace", namespaced: false, SourceGenerationContext.Default.V1Namespace);
        var same = new V1Namespace { Metadata = new V1ObjectMeta { Name = "n" }, Status = new V1NamespaceStatus { Phase = "Active" } };
        Assert.False(await _applier.PatchStatusAsync(kind, live, same, CancellationToken.None));
        Assert.Empty(_handler.Requests);

        var changed = new V1Namespace { Metadata = new V1ObjectMeta { Name = "n" }, Status = new V1NamespaceStatus { Phase = "Terminating" } };
        Assert.True(await _applier.PatchStatusAsync(kind, live, changed, CancellationToken.None));
        var (method, path, contentType, body) = Assert.Single(_handler.Requests);
        Assert.Equal(HttpMethod.Patch, method);
        Assert.Equal("/api/v1/namespaces/n/status", path);
        Assert.Equal("application/merge-patch+json", contentType);
        Assert.Equal("""{"status":{"phase":"Terminating"}}""", body!.ToJsonString());
    }

    [Fact]
    public async Task Prune_deletes_only_owned_matching_children_that_are_no_longer_desired()
    {
        var owner = ConfigMap("owner");
        owner.Metadata.Uid = "owner-uid";
        var cache = new InformerCache<V1ConfigMap>();
        cache.Set(Child("wanted", "owner-uid", managed: true));
        cache.Set(Child("stale", "owner-uid", managed: true));
        cache.Set(Child("someone-elses", "other-uid", managed: true));
        cache.Set(Child("unlabelled", "owner-uid", managed: false));

        var pruned = await _applier.PruneAsync(
            ConfigMaps, cache, owner, new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "drover" }, new HashSet<string> { "wanted" }, CancellationToken.None);

        Assert.Equal(1, pruned);
        var (method, path, _, body) = Assert.Single(_handler.Requests);
        Assert.Equal(HttpMethod.Delete, method);
        Assert.Equal("/api/v1/namespaces/ns/configmaps/stale", path);
        Assert.Equal("uid-stale", (string?)body!["preconditions"]!["uid"]);
    }

    public void Dispose() => _http.Dispose();

    private static V1ConfigMap ConfigMap(string name, params (string Key, string Value)[] data) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "ns" },
        Data = data.ToDictionary(d => d.Key, d => d.Value),
    };

    private static V1ConfigMap Child(string name, string ownerUid, bool managed)
    {
        var child = ConfigMap(name);
        child.Metadata.Uid = "uid-" + name;
        child.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "owner", Uid = ownerUid, Controller = true }];
        child.Metadata.Labels = managed ? new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "drover" } : null;
        return child;
    }
}
