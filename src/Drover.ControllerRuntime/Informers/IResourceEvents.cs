namespace Drover.ControllerRuntime.Informers;

/// <summary>A source of change events for one kind: an informer, or a set of them (<see cref="ReferencedObjects{T}"/>).</summary>
public interface IResourceEvents<T>
    where T : class
{
    /// <summary>Subscribes to changes; objects already cached are replayed as added.</summary>
    void AddHandler(ResourceChangeHandler<T> handler);
}
