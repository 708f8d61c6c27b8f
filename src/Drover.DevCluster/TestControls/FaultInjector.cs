namespace Drover.DevCluster.TestControls;

/// <summary>Failures a test can switch on to see how clients cope: errors, throttling, latency, lost watches.</summary>
public sealed class FaultInjector
{
    private readonly Lock _gate = new();
    private readonly Func<int> _dropWatches;
    private int _remainingFailures;
    private int _statusCode;
    private TimeSpan? _retryAfter;
    private string? _resource;
    private int _expireNextWatch;

    internal FaultInjector(Func<int> dropWatches) => _dropWatches = dropWatches;

    /// <summary>Added before every resource request is handled.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>
    /// Fails the next <paramref name="count"/> resource requests (only those on <paramref name="resource"/>,
    /// a plural such as "deployments", when given) with <paramref name="statusCode"/>; a 429 carries Retry-After.
    /// </summary>
    public void FailNext(int count, int statusCode = 500, TimeSpan? retryAfter = null, string? resource = null)
    {
        lock (_gate)
        {
            _remainingFailures = count;
            _statusCode = statusCode;
            _retryAfter = retryAfter;
            _resource = resource;
        }
    }

    /// <summary>Closes every open watch stream now, as an API server restart would. Returns how many were open.</summary>
    public int DropAllWatches() => _dropWatches();

    /// <summary>The next watch that resumes from a resourceVersion gets the 410 Expired ERROR event.</summary>
    public void ExpireNextWatch() => Interlocked.Exchange(ref _expireNextWatch, 1);

    internal bool TakeWatchExpiry() => Interlocked.Exchange(ref _expireNextWatch, 0) == 1;

    internal (int StatusCode, TimeSpan? RetryAfter)? TakeFailure(string resource, string subresourceQualified)
    {
        lock (_gate)
        {
            if (_remainingFailures <= 0 || (_resource is not null && _resource != resource && _resource != subresourceQualified))
            {
                return null;
            }

            _remainingFailures--;
            return (_statusCode, _retryAfter);
        }
    }
}
