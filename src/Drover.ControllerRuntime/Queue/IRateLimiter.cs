namespace Drover.ControllerRuntime.Queue;

/// <summary>Decides how long an item waits before it is retried (client-go's workqueue.TypedRateLimiter).</summary>
public interface IRateLimiter<in TKey>
{
    /// <summary>Records one more failure of <paramref name="key"/> and returns how long to wait before retrying it.</summary>
    TimeSpan When(TKey key);

    /// <summary>Forgets the failure history of <paramref name="key"/> (it succeeded or was given up on).</summary>
    void Forget(TKey key);

    int NumRequeues(TKey key);
}
