namespace Drover.DevCluster.TestControls;

/// <summary>
/// The latest entries of something the server records for tests, in order: every request it answered
/// (<see cref="DevClusterServer.RequestLog"/>: who made it and what it asked, so a test can check which client did
/// what) or every authorization decision (<see cref="DevClusterServer.AuthorizationLog"/>). Keeps the latest
/// <see cref="DevClusterOptions.RequestLogLimit"/> entries and counts the ones it dropped.
/// </summary>
/// <typeparam name="T">The kind of entry.</typeparam>
public sealed class BoundedLog<T>
{
    private readonly Lock _gate = new();
    private readonly Queue<T> _entries = new();
    private readonly int _limit;
    private long _dropped;

    internal BoundedLog(int limit) => _limit = Math.Max(1, limit);

    /// <summary>Entries dropped because the log was full; a test that needs every entry can assert this is 0.</summary>
    public long Dropped
    {
        get
        {
            lock (_gate)
            {
                return _dropped;
            }
        }
    }

    /// <summary>A copy of the entries, oldest first.</summary>
    public IReadOnlyList<T> Entries()
    {
        lock (_gate)
        {
            return [.. _entries];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
            _dropped = 0;
        }
    }

    internal void Add(T entry)
    {
        lock (_gate)
        {
            if (_entries.Count == _limit)
            {
                _entries.Dequeue();
                _dropped++;
            }

            _entries.Enqueue(entry);
        }
    }
}
