namespace Drover.ControllerRuntime.Client;

public enum WatchEventKind
{
    Added,
    Modified,
    Deleted,
    Bookmark,
}

/// <summary>One decoded line of a watch stream. <see cref="Object"/> is null for bookmarks.</summary>
public readonly record struct WatchEvent<T>(WatchEventKind Kind, T? Object, string? ResourceVersion)
    where T : class;

/// <summary>One page of a list: its items, the version the list was read at and the token for the next page.</summary>
public sealed record ListPage<T>(IReadOnlyList<T> Items, string? ResourceVersion, string? Continue)
    where T : class;
