using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Drover.DevCluster.Storage;

/// <summary>
/// One open watch: a bounded queue the store fills under its lock without ever waiting. A reader that
/// falls so far behind that its queue is full is closed, as the real watch cache does; it relists.
/// </summary>
public sealed class WatchSubscription : IDisposable
{
    private readonly ObjectStore _store;
    private readonly Channel<WatchEvent> _channel;
    private readonly Func<JsonObject, bool>? _filter;

    internal WatchSubscription(ObjectStore store, string bucket, string? ns, Func<JsonObject, bool>? filter, int capacity)
    {
        _store = store;
        Bucket = bucket;
        Namespace = string.IsNullOrEmpty(ns) ? null : ns;
        _filter = filter;
        _channel = Channel.CreateBounded<WatchEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public string Bucket { get; }

    public string? Namespace { get; }

    public ChannelReader<WatchEvent> Events => _channel.Reader;

    /// <summary>Why the store ended this watch, when it did (slow reader, dropped by a test fault).</summary>
    public string? ClosedReason { get; private set; }

    /// <summary>Asks the store for a bookmark that is ordered after every event already queued.</summary>
    public void RequestBookmark() => _store.Bookmark(this);

    public void Dispose() => _store.Unsubscribe(this);

    internal bool Matches(StoredObject? obj) =>
        obj is not null
        && (Namespace is null || obj.Namespace == Namespace)
        && (_filter is null || _filter(obj.Object));

    /// <summary>Turns a store event into what this watcher sees, including selector entry and exit.</summary>
    internal void Offer(StoreEvent change)
    {
        if (change.Bucket != Bucket)
        {
            return;
        }

        var nowMatches = change.Type != "DELETED" && Matches(change.Object);
        var wasMatching = change.Type switch
        {
            "DELETED" => Matches(change.Object),
            "MODIFIED" => Matches(change.Previous),
            _ => false,
        };
        var type = (wasMatching, nowMatches) switch
        {
            (false, true) => "ADDED",
            (true, true) => "MODIFIED",
            (true, false) => "DELETED",
            _ => null,
        };
        if (type is not null)
        {
            Write(new WatchEvent(type, change.Object, change.ResourceVersion));
        }
    }

    internal void Write(WatchEvent item)
    {
        if (!_channel.Writer.TryWrite(item))
        {
            Close("the watcher fell too far behind");
            _store.Unsubscribe(this);
        }
    }

    internal void Close(string reason)
    {
        ClosedReason ??= reason;
        _channel.Writer.TryComplete();
    }
}
