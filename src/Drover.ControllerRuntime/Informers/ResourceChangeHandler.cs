namespace Drover.ControllerRuntime.Informers;

/// <summary>Callbacks for cache changes. They run on the informer's loop: keep them short (enqueue a key, count).</summary>
public sealed class ResourceChangeHandler<T>
    where T : class
{
    public Action<T>? OnAdded { get; init; }

    public Action<T, T>? OnUpdated { get; init; }

    public Action<T>? OnDeleted { get; init; }
}
