namespace Drover.DevCluster.Storage;

/// <summary>What a committed write did, as kept in the watch history.</summary>
/// <param name="Type">ADDED, MODIFIED or DELETED.</param>
/// <param name="Bucket">The storage key (resource.group) of the object's kind.</param>
/// <param name="Object">The object after the write; for DELETED its last state at the deletion revision.</param>
/// <param name="Previous">The object before the write, so selector watches can see objects leave and enter.</param>
public sealed record StoreEvent(string Type, string Bucket, StoredObject Object, StoredObject? Previous)
{
    public long ResourceVersion => Object.ResourceVersion;
}

/// <summary>One event as a watcher receives it; bookmarks carry only a resourceVersion.</summary>
public readonly record struct WatchEvent(string Type, StoredObject? Object, long ResourceVersion, bool InitialEventsEnd = false);
