using System.Collections.Frozen;

namespace Drover.DevCluster.Resources;

/// <summary>
/// Every resource the server currently serves. Reads see an immutable snapshot, so request routing
/// never takes a lock; CRD changes swap in a new one.
/// </summary>
public sealed class ResourceCatalog
{
    private readonly Lock _gate = new();
    private Snapshot _snapshot;

    public ResourceCatalog(IEnumerable<ResourceType> builtins)
    {
        _snapshot = Snapshot.Create([.. builtins], 1);
    }

    /// <summary>Changes whenever the served set changes; discovery and OpenAPI hashes derive from it.</summary>
    public long Revision => Volatile.Read(ref _snapshot).Revision;

    public IReadOnlyList<ResourceType> All => Volatile.Read(ref _snapshot).Types;

    public ResourceType? Find(string group, string version, string plural) =>
        Volatile.Read(ref _snapshot).ByPath.GetValueOrDefault((group, version, plural));

    /// <summary>The preferred (first-listed) version of a group's resource, used by controllers inside the server.</summary>
    public ResourceType? FindAnyVersion(string group, string plural) =>
        Volatile.Read(ref _snapshot).Types.FirstOrDefault(t => t.Group == group && t.Plural == plural);

    public ResourceType? FindByKind(string apiVersion, string kind) =>
        Volatile.Read(ref _snapshot).Types.FirstOrDefault(t => t.ApiVersion == apiVersion && t.Kind == kind);

    /// <summary>Groups in serving order, each with its versions preferred-first.</summary>
    public IReadOnlyList<(string Group, IReadOnlyList<string> Versions)> Groups => Volatile.Read(ref _snapshot).Groups;

    /// <summary>Replaces every version of <paramref name="group"/>/<paramref name="plural"/> with <paramref name="versions"/> (empty removes it).</summary>
    public void Replace(string group, string plural, IReadOnlyList<ResourceType> versions)
    {
        lock (_gate)
        {
            var current = _snapshot;
            var types = current.Types.Where(t => !(t.Group == group && t.Plural == plural)).Concat(versions).ToList();
            Volatile.Write(ref _snapshot, Snapshot.Create(types, current.Revision + 1));
        }
    }

    private sealed record Snapshot(
        IReadOnlyList<ResourceType> Types,
        FrozenDictionary<(string, string, string), ResourceType> ByPath,
        IReadOnlyList<(string Group, IReadOnlyList<string> Versions)> Groups,
        long Revision)
    {
        public static Snapshot Create(List<ResourceType> types, long revision)
        {
            var byPath = types.ToFrozenDictionary(t => (t.Group, t.Version, t.Plural));
            var groups = types
                .GroupBy(t => t.Group)
                .Select(g => (g.Key, (IReadOnlyList<string>)[.. g.Select(t => t.Version).Distinct().OrderBy(v => v, KubeVersionOrder.Instance)]))
                .ToList();
            return new Snapshot(types, byPath, groups, revision);
        }
    }
}
