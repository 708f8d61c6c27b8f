using System.Text.Json.Nodes;

namespace Drover.Bench;

/// <summary>One reading of the dev cluster's request counters: requests by client, verb and resource.</summary>
internal sealed class RequestCounts
{
    /// <summary>The kinds the operator creates for Agents and Schedules.</summary>
    public static readonly IReadOnlySet<string> ChildResources = new HashSet<string>(StringComparer.Ordinal)
    {
        "serviceaccounts", "secrets", "deployments", "services", "networkpolicies", "persistentvolumeclaims", "cronjobs",
    };

    private static readonly HashSet<string> WriteVerbs = new(StringComparer.Ordinal) { "create", "update", "patch", "delete", "deletecollection" };

    public RequestCounts(IReadOnlyList<Row> rows) => Rows = rows;

    public IReadOnlyList<Row> Rows { get; }

    public static RequestCounts Parse(string json)
    {
        var document = JsonNode.Parse(json) ?? throw new FormatException("empty request counters");
        var rows = document["requests"]!.AsArray()
            .Select(r => new Row(r!["client"]!.GetValue<string>(), r["verb"]!.GetValue<string>(), r["resource"]!.GetValue<string>(), r["count"]!.GetValue<int>()))
            .ToList();
        return new RequestCounts(rows);
    }

    /// <summary>Requests from anyone but the harness: the operator's (the simulated kubelet writes in-process).</summary>
    public IEnumerable<Row> Operator => Rows.Where(r => r.Client != BenchCluster.Client);

    public int OperatorRequests => Operator.Sum(r => r.Count);

    public int OperatorWrites => Operator.Where(r => WriteVerbs.Contains(r.Verb)).Sum(r => r.Count);

    /// <summary>The operator's writes to the objects it owns (not status, not events).</summary>
    public int OperatorChildWrites => Operator.Where(r => WriteVerbs.Contains(r.Verb) && ChildResources.Contains(r.Resource)).Sum(r => r.Count);

    /// <summary>The operator's writes, summed by resource, largest first: where the writes went.</summary>
    public IReadOnlyList<(string Resource, int Count)> OperatorWritesByResource() =>
        Operator.Where(r => WriteVerbs.Contains(r.Verb))
            .GroupBy(r => r.Resource)
            .Select(g => (g.Key, g.Sum(r => r.Count)))
            .OrderByDescending(p => p.Item2)
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .ToList();

    internal sealed record Row(string Client, string Verb, string Resource, int Count);
}
