using System.Text.Json.Nodes;

namespace Drover.DevCluster.TestControls;

/// <summary>
/// Failures a test can switch on to see how clients cope: errors, throttling, latency, lost watches, requests that
/// are never answered, and objects no admission would have let in.
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock _gate = new();
    private readonly Func<int> _dropWatches;
    private readonly Func<string, string, string, JsonObject, string> _inject;
    private readonly List<(string? Resource, string? Verb)> _hangs = [];
    private TaskCompletionSource<bool> _release = NewRelease();
    private int _hung;
    private int _remainingFailures;
    private int _statusCode;
    private TimeSpan? _retryAfter;
    private string? _resource;
    private int _expireNextWatch;

    internal FaultInjector(Func<int> dropWatches, Func<string, string, string, JsonObject, string> inject)
    {
        _dropWatches = dropWatches;
        _inject = inject;
    }

    /// <summary>Added before every resource request is handled.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Requests accepted and held unanswered right now (see <see cref="HangRequests"/>).</summary>
    public int HungRequests => Volatile.Read(ref _hung);

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

    /// <summary>
    /// From now on, resource requests on <paramref name="resource"/> (a plural such as <c>leases</c>, or
    /// <c>plural/subresource</c>; null for every resource) with <paramref name="verb"/> (a Kubernetes verb such as
    /// <c>update</c>; null for any) are accepted and never answered, so client timeouts can be tested: until
    /// <see cref="StopHanging"/> lets them proceed, the client gives up, or the cluster stops (which drops them).
    /// Calls add up: each adds one more kind of request to hold.
    /// </summary>
    public void HangRequests(string? resource = null, string? verb = null)
    {
        lock (_gate)
        {
            _hangs.Add((resource, verb));
        }
    }

    /// <summary>Ends every <see cref="HangRequests"/> rule; requests being held proceed and are answered normally.</summary>
    public void StopHanging()
    {
        TaskCompletionSource<bool> release;
        lock (_gate)
        {
            _hangs.Clear();
            release = _release;
            _release = NewRelease();
        }

        release.TrySetResult(true);
    }

    /// <summary>
    /// Stores <paramref name="json"/> as an object of <c>group/version</c> <paramref name="plural"/>, bypassing every
    /// check the API would make (schema, pruning, validation, admission), so lists and watches deliver it like any
    /// other object: what an informer must survive. The object needs <c>metadata.name</c> (and
    /// <c>metadata.namespace</c> when namespaced); uid and creationTimestamp are filled in when absent. An existing
    /// object of that name is replaced (a MODIFIED event). Returns the stored resourceVersion.
    /// </summary>
    public string InjectObject(string group, string version, string plural, string json)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentException.ThrowIfNullOrEmpty(version);
        ArgumentException.ThrowIfNullOrEmpty(plural);
        ArgumentException.ThrowIfNullOrEmpty(json);
        var parsed = JsonNode.Parse(json) as JsonObject ?? throw new ArgumentException("the injected object must be a JSON object", nameof(json));
        return _inject(group, version, plural, parsed);
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

    /// <summary>
    /// Holds a request that a hang rule matches until the rules are cleared (true: go on) or the server stops
    /// (false: drop it); returns at once with true when no rule matches.
    /// </summary>
    internal async Task<bool> HoldAsync(string resource, string subresourceQualified, string verb, CancellationToken aborted)
    {
        Task<bool> release;
        lock (_gate)
        {
            if (!_hangs.Any(h => (h.Resource is null || h.Resource == resource || h.Resource == subresourceQualified) && (h.Verb is null || h.Verb == verb)))
            {
                return true;
            }

            release = _release.Task;
        }

        Interlocked.Increment(ref _hung);
        try
        {
            return await release.WaitAsync(aborted);
        }
        finally
        {
            Interlocked.Decrement(ref _hung);
        }
    }

    /// <summary>The server is stopping: held requests are dropped.</summary>
    internal void DropHeld()
    {
        TaskCompletionSource<bool> release;
        lock (_gate)
        {
            _hangs.Clear();
            release = _release;
            _release = NewRelease();
        }

        release.TrySetResult(false);
    }

    private static TaskCompletionSource<bool> NewRelease() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
