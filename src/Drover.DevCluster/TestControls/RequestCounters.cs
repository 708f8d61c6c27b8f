using System.Collections.Concurrent;

namespace Drover.DevCluster.TestControls;

/// <summary>
/// How many API requests the server answered, by Kubernetes verb and resource
/// (plural, with <c>/status</c> or <c>/scale</c> for subresources). Tests use it to prove
/// a steady state makes no writes.
/// </summary>
public sealed class RequestCounters
{
    private static readonly HashSet<string> WriteVerbs = ["create", "update", "patch", "delete", "deletecollection"];
    private readonly ConcurrentDictionary<(string Verb, string Resource), int> _counts = new();

    /// <summary>Requests with this verb on this resource since the last reset.</summary>
    public int Count(string verb, string resource) => _counts.GetValueOrDefault((verb, resource));

    /// <summary>Requests with this verb on any resource.</summary>
    public int Count(string verb) => _counts.Where(kv => kv.Key.Verb == verb).Sum(kv => kv.Value);

    /// <summary>create + update + patch + delete + deletecollection, on every resource.</summary>
    public int Writes => _counts.Where(kv => WriteVerbs.Contains(kv.Key.Verb)).Sum(kv => kv.Value);

    public void Reset() => _counts.Clear();

    public IReadOnlyDictionary<(string Verb, string Resource), int> Snapshot() => new Dictionary<(string, string), int>(_counts);

    internal void Record(string verb, string resource) => _counts.AddOrUpdate((verb, resource), 1, static (_, n) => n + 1);
}
