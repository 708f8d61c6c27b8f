namespace Drover.ControllerRuntime.Informers;

public sealed record InformerOptions
{
    /// <summary>Namespaces to list and watch, one stream each; empty means one cluster-wide stream.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    /// <summary>
    /// Drops <c>metadata.managedFields</c> from every object before it is cached. Server-side apply records a field set
    /// per writer that is often as large as the object itself; a controller that never reads it halves its cache.
    /// </summary>
    public bool StripManagedFields { get; init; }

    /// <summary>
    /// Keeps cached objects as compressed JSON and unpacks a copy on each read: a fraction of the memory of typed
    /// objects, for some CPU per read. For large caches read a few objects at a time (children, a cluster's Secrets).
    /// </summary>
    public bool PackObjects { get; init; }

    /// <summary>Objects per list page (<c>limit</c>); the rest follow with <c>continue</c>.</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>Asked of the server as <c>timeoutSeconds</c>: it ends the stream cleanly and the informer resumes.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Client-side watchdog: a stream that delivers nothing (not even a bookmark) for this long is restarted.</summary>
    public TimeSpan StreamIdleTimeout { get; init; } = TimeSpan.FromMinutes(6);

    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
}
