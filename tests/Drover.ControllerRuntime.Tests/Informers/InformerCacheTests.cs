using System.Text.Json;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Informers;
using k8s;
using k8s.Models;

namespace Drover.ControllerRuntime.Tests.Informers;

public class InformerCacheTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Objects_are_found_by_key_by_namespace_and_through_a_secondary_index_that_follows_updates(bool packed)
    {
        var cache = NewCache(packed);
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_index_added_late_covers_objects_already_cached(bool packed)
    {
        var cache = NewCache(packed);
        SetIn(cache, "a", "one", "openai");
        cache.AddIndex("byProvider", cm => [cm.Data["provider"]]);
        Assert.Single(cache.ByIndex("byProvider", "openai"));
        Assert.Throws<InvalidOperationException>(() => cache.AddIndex("byProvider", _ => []));
        Assert.Throws<InvalidOperationException>(() => cache.ByIndex("missing", "x"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Objects_are_found_by_owner_uid_and_namespace_as_they_change_owner_and_leave(bool packed)
    {
        var cache = NewCache(packed);
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

    [Fact]
    public void A_packed_cache_hands_out_copies_equal_to_what_was_stored_and_keeps_the_version_readable()
    {
        var cache = NewCache(packed: true);
        var stored = Owned("a", "one", "uid-1");
        stored.Metadata.ResourceVersion = "42";
        stored.Metadata.Labels = new Dictionary<string, string> { ["app"] = "x" };
        stored.Data = new Dictionary<string, string> { ["config.json"] = "{\"model\":\"gpt\"}" };
        cache.Set(stored);

        var first = cache.Get("a", "one")!;
        Assert.NotSame(stored, first);
        Assert.Equal(Json(stored), Json(first));
        Assert.Equal("42", cache.ResourceVersionOf(new("a", "one")));
        Assert.Null(cache.ResourceVersionOf(new("a", "missing")));

        // A reader changing its copy changes nothing for the next reader.
        first.Data["config.json"] = "changed";
        Assert.Equal("{\"model\":\"gpt\"}", cache.Get("a", "one")!.Data["config.json"]);
        Assert.Equal([new ObjectKey("a", "one")], cache.Keys("a"));
        Assert.Empty(cache.Keys("b"));

        // Smaller than the object's JSON, and given back when the object leaves.
        Assert.InRange(cache.PackedBytes, 1, Json(stored).Length - 1);
        cache.Remove(new("a", "one"));
        Assert.Equal(0, cache.PackedBytes);
        Assert.Null(cache.Get("a", "one"));
    }

    [Fact]
    public void A_mark_belongs_to_the_version_it_was_set_on_and_goes_with_it()
    {
        var cache = NewCache(packed: true);
        cache.Set(Versioned("a", "one", "5"));

        cache.SetMark("a", "one", "4", 7);
        Assert.False(cache.HasMark("a", "one", 7));
        cache.SetMark("a", "one", "5", 7);
        Assert.True(cache.HasMark("a", "one", 7));
        Assert.False(cache.HasMark("a", "one", 8));
        Assert.False(cache.HasMark("b", "one", 7));

        cache.Set(Versioned("a", "one", "6"));
        Assert.False(cache.HasMark("a", "one", 7));
        cache.SetMark("a", "one", "6", 7);
        cache.Remove(new("a", "one"));
        cache.Set(Versioned("a", "one", "6"));
        Assert.False(cache.HasMark("a", "one", 7));

        // A typed cache keeps no marks: reading from it costs nothing to repeat.
        var typed = NewCache(packed: false);
        typed.Set(Versioned("a", "one", "5"));
        typed.SetMark("a", "one", "5", 7);
        Assert.False(typed.HasMark("a", "one", 7));
    }

    private static V1ConfigMap Versioned(string ns, string name, string resourceVersion) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, ResourceVersion = resourceVersion },
    };

    private static InformerCache<V1ConfigMap> NewCache(bool packed) => new(packed ? SourceGenerationContext.Default.V1ConfigMap : null);

    private static string Json(V1ConfigMap cm) => JsonSerializer.Serialize(cm, SourceGenerationContext.Default.V1ConfigMap);

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
