using System.Text.Json.Nodes;

namespace Drover.DevCluster.Resources;

/// <summary>
/// Makes a resource another resource's view, as events.k8s.io/v1 Events are core/v1 Events on a real server: its
/// objects live in the other resource's bucket and form, converted on every read and write.
/// </summary>
public sealed class StorageView
{
    /// <summary>The group of the resource that stores the objects.</summary>
    public required string StorageGroup { get; init; }

    /// <summary>The plural of the resource that stores the objects.</summary>
    public required string StoragePlural { get; init; }

    /// <summary>An object written through the view, in the stored resource's form.</summary>
    public required Func<JsonObject, JsonObject> ToStorage { get; init; }

    /// <summary>A stored object as the view presents it.</summary>
    public required Func<JsonObject, JsonObject> FromStorage { get; init; }

    public string StorageKey => StorageGroup.Length == 0 ? StoragePlural : StoragePlural + "." + StorageGroup;
}
