using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Queue;

namespace Drover.ControllerRuntime.Controllers;

public sealed record ControllerOptions
{
    /// <summary>Concurrent reconciles; one key is never reconciled by two workers at once.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>When set, every cached object is re-queued this often, catching drift nobody told us about.</summary>
    public TimeSpan? ResyncPeriod { get; init; }

    /// <summary>On stop, in-flight reconciles get this long to finish before their token is cancelled.</summary>
    public TimeSpan ShutdownGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The longest a reconciler's <see cref="ReconcileResult.After"/> may push a key out: a Schedule whose next run is
    /// months away is looked at again after this, rather than asking for a timer .NET refuses. Also caps the resync period.
    /// </summary>
    public TimeSpan MaxRequeueDelay { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Defaults to client-go's: 5 ms .. 1000 s per key and 10 qps / burst 100 overall.</summary>
    public IRateLimiter<ObjectKey>? RateLimiter { get; init; }
}
