using Drover.ControllerRuntime.Informers;
using k8s.Models;

namespace Drover.ControllerRuntime.Tests.Informers;

public class InformerCacheTests
{
    [Fact]
    public void Objects_are_found_by_key_by_namespace_and_through_a_secondary_index_that_follows_updates()
    {
        var cache = new InformerCache<V1ConfigMap>();
        cache.AddIndex("byProvider", cm => cm.Data?.TryGetValue("provider", out var p) == true ? [p] : []);
        Assert.Null(SetIn(cache, "a", "one", "openai"));
        SetIn(cache, "a", "two", "openai");
        SetIn(cache, "b", "three", "groq");

        Assert.Equal("one", cache.Get("a", "one")!.Metadata.Name);
        Assert.Null(cache.Get("b", "one"));
        Assert.Equal(2, cache.List("a").Count);
        Assert.Equal(3, cache.List().Count);
        Assert.Equal(["one", "two"], cache.ByIndex("byProvider", "openai").Select(c => c.Metadata.Name).Order());

        var replaced = SetIn(cache, "a", "two", "groq");
        Assert.NotNull(replaced);
        Assert.Equal(["one"], cache.ByIndex("byProvider", "openai").Select(c => c.Metadata.Name));
        Assert.Equal(["three", "two"], cache.ByIndex("byProvider", "groq").Select(c => c.Metadata.Name).Order());

        cache.Remove(new("a", "one"));
        Assert.Empty(cache.ByIndex("byProvider", "openai"));
        Assert.Empty(cache.ByIndex("byProvider", "never"));
    }

    [Fact]
    public void An_index_added_late_covers_objects_already_cached()
    {
        var cache = new InformerCache<V1ConfigMap>();
        SetIn(cache, "a", "one", "openai");
        cache.AddIndex("byProvider", cm => [cm.Data["provider"]]);
        Assert.Single(cache.ByIndex("byProvider", "openai"));
        Assert.Throws<InvalidOperationException>(() => cache.AddIndex("byProvider", _ => []));
        Assert.Throws<InvalidOperationException>(() => cache.ByIndex("missing", "x"));
    }

    [Fact]
    public void Objects_are_found_by_owner_uid_and_namespace_as_they_change_owner_and_leave()
    {
        var cache = new InformerCache<V1ConfigMap>();
        cache.Set(Owned("a", "one", "uid-1"));
        cache.Set(Owned("a", "two", "uid-1", "uid-2"));
        cache.Set(Owned("b", "three", "uid-2"));
        cache.Set(Owned("b", "orphan"));

        Assert.Equal(["one", "two"], cache.OwnedBy("uid-1").Select(c => c.Metadata.Name).Order());
        Assert.Equal(["three", "two"], cache.OwnedBy("uid-2").Select(c => c.Metadata.Name).Order());
        Assert.Equal(["orphan", "three"], cache.List("b").Select(c => c.Metadata.Name).Order());
        Assert.Empty(cache.List("c"));

        cache.Set(Owned("a", "two", "uid-2"));
        cache.Remove(new("a", "one"));
        Assert.Empty(cache.OwnedBy("uid-1"));
        Assert.Equal(["three", "two"], cache.OwnedBy("uid-2").Select(c => c.Metadata.Name).Order());
        Assert.Equal(["two"], cache.List("a").Select(c => c.Metadata.Name));
    }

    private static V1ConfigMap Owned(string ns, string name, params string[] ownerUids) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ns,
            OwnerReferences = ownerUids.Length == 0 ? null : [.. ownerUids.Select(uid => new V1OwnerReference { Uid = uid, Name = uid, Kind = "Agent", ApiVersion = "drover.dev/v1alpha1" })],
        },
    };

    private static V1ConfigMap? SetIn(InformerCache<V1ConfigMap> cache, string ns, string name, string provider) =>
        cache.Set(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Data = new Dictionary<string, string> { ["provider"] = provider },
        });
}
