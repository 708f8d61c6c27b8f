using System.Collections.Concurrent;

namespace Drover.DevCluster.TestControls;

/// <summary>
/// How many API requests the server answered, by client, Kubernetes verb and resource (plural, with
/// <c>/status</c> or <c>/scale</c> for subresources). Tests use it to prove a steady state makes no writes; the
/// client dimension lets a benchmark tell the operator's writes from those of the tool that drives it.
/// </summary>
public sealed class RequestCounters
{
    private static readonly HashSet<string> WriteVerbs = ["create", "update", "patch", "delete", "deletecollection"];
    private readonly ConcurrentDictionary<(string Client, string Verb, string Resource), int> _counts = new();

    /// <summary>Whether <paramref name="verb"/> changes state (create, update, patch, delete, deletecollection).</summary>
    public static bool IsWrite(string verb) => WriteVerbs.Contains(verb);

    /// <summary>
    /// The client a request came from: the product token of its User-Agent (what precedes the first <c>/</c>),
    /// as the API server derives a default field manager; <c>unknown</c> without one.
    /// </summary>
    public static string ClientOf(string? userAgent)
    {
        var agent = userAgent ?? string.Empty;
        var slash = agent.IndexOf('/', StringComparison.Ordinal);
        var product = (slash < 0 ? agent : agent[..slash]).Trim();
        return product.Length > 0 ? product : "unknown";
    }

    /// <summary>Requests with this verb on this resource since the last reset, from any client.</summary>
    public int Count(string verb, string resource) => _counts.Where(kv => kv.Key.Verb == verb && kv.Key.Resource == resource).Sum(kv => kv.Value);

    /// <summary>Requests with this verb on any resource.</summary>
    public int Count(string verb) => _counts.Where(kv => kv.Key.Verb == verb).Sum(kv => kv.Value);

    /// <summary>create + update + patch + delete + deletecollection, on every resource.</summary>
    public int Writes => _counts.Where(kv => IsWrite(kv.Key.Verb)).Sum(kv => kv.Value);

    public void Reset() => _counts.Clear();

    /// <summary>Counts by verb and resource, summed over clients.</summary>
    public IReadOnlyDictionary<(string Verb, string Resource), int> Snapshot() =>
        _counts.GroupBy(kv => (kv.Key.Verb, kv.Key.Resource)).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value));

    /// <summary>Counts by client, verb and resource.</summary>
    public IReadOnlyDictionary<(string Client, string Verb, string Resource), int> SnapshotByClient() =>
        new Dictionary<(string, string, string), int>(_counts);

    internal void Record(string client, string verb, string resource) => _counts.AddOrUpdate((client, verb, resource), 1, static (_, n) => n + 1);
}
