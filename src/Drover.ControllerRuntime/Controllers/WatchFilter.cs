namespace Drover.ControllerRuntime.Controllers;

/// <summary>
/// Which cache events of a watched kind are news to a controller, like controller-runtime's predicates: an event
/// whose function answers false enqueues nothing. A missing function lets every event of that type through.
/// </summary>
public sealed class WatchFilter<T>
    where T : class
{
    public Func<T, bool>? OnAdded { get; init; }

    /// <summary>Given the cached object before and after the change.</summary>
    public Func<T, T, bool>? OnUpdated { get; init; }

    public Func<T, bool>? OnDeleted { get; init; }

    internal bool Added(T obj) => OnAdded?.Invoke(obj) ?? true;

    internal bool Updated(T old, T current) => OnUpdated?.Invoke(old, current) ?? true;

    internal bool Deleted(T obj) => OnDeleted?.Invoke(obj) ?? true;
}
