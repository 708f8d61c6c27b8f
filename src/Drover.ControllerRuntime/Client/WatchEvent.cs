namespace Drover.ControllerRuntime.Client;

public enum WatchEventKind
{
    Added,
    Modified,
    Deleted,
    Bookmark,
}

/// <summary>
/// One line of a watch stream. <see cref="Object"/> is null for bookmarks and for an object that could not be read
/// as <typeparamref name="T"/>; then <see cref="Undecodable"/> says which object it was and why.
/// </summary>
public readonly record struct WatchEvent<T>(WatchEventKind Kind, T? Object, string? ResourceVersion, UndecodableObject? Undecodable = null)
    where T : class;

/// <summary>
/// One page of a list: its items, the version the list was read at and the token for the next page. Items that could
/// not be read are left out of <see cref="Items"/> and named in <see cref="Undecodable"/>.
/// </summary>
public sealed record ListPage<T>(IReadOnlyList<T> Items, string? ResourceVersion, string? Continue)
    where T : class
{
    public IReadOnlyList<UndecodableObject> Undecodable { get; init; } = [];
}

/// <summary>
/// An object the server sent that does not fit the C# type (a value out of range, a string where a number belongs).
/// Its identity comes from a lenient read of <c>metadata</c>, so any part may be missing.
/// </summary>
public sealed record UndecodableObject(string? Namespace, string? Name, string? ResourceVersion, string Error)
{
    /// <summary><c>namespace/name</c>, or what is known of it.</summary>
    public string Description => (string.IsNullOrEmpty(Namespace) ? string.Empty : Namespace + "/") + (Name ?? "<no name>");

    /// <summary>The cache key of the object, when it has a name.</summary>
    public ObjectKey? Key => string.IsNullOrEmpty(Name) ? null : new ObjectKey(string.IsNullOrEmpty(Namespace) ? null : Namespace, Name);
}
