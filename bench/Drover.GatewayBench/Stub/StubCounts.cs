using System.Collections.Concurrent;
using System.Text.Json.Serialization;

namespace Drover.GatewayBench.Stub;

/// <summary>
/// What the stub served, by key label (so by benchmark path), request path and status: the harness checks every path
/// against it, so a gateway that answers without reaching the stub is caught.
/// </summary>
internal sealed class StubCounts
{
    private readonly ConcurrentDictionary<(string Key, string Path, int Status), Counter> _counters = new();

    public void Add(string key, string path, int status, bool streamed, long promptTokens, long completionTokens)
    {
        var counter = _counters.GetOrAdd((key, path, status), _ => new Counter());
        Interlocked.Increment(ref counter.Requests);
        if (streamed)
        {
            Interlocked.Increment(ref counter.Streamed);
        }

        Interlocked.Add(ref counter.PromptTokens, promptTokens);
        Interlocked.Add(ref counter.CompletionTokens, completionTokens);
    }

    public StubStats Snapshot() => new([.. _counters
        .Select(p => new StubCount(p.Key.Key, p.Key.Path, p.Key.Status, Volatile.Read(ref p.Value.Requests), Volatile.Read(ref p.Value.Streamed), Volatile.Read(ref p.Value.PromptTokens), Volatile.Read(ref p.Value.CompletionTokens)))
        .OrderBy(c => c.Key, StringComparer.Ordinal)
        .ThenBy(c => c.Path, StringComparer.Ordinal)
        .ThenBy(c => c.Status)]);

    private sealed class Counter
    {
        public long Requests;
        public long Streamed;
        public long PromptTokens;
        public long CompletionTokens;
    }
}

/// <summary>One row of the stub's counters; a key of <c>-</c> is a request without a bench key.</summary>
internal sealed record StubCount(string Key, string Path, int Status, long Requests, long Streamed, long PromptTokens, long CompletionTokens);

/// <summary>The stub's <c>GET /stats</c>.</summary>
internal sealed record StubStats(IReadOnlyList<StubCount> Counts)
{
    /// <summary>Chat completions answered 200 under <paramref name="key"/>.</summary>
    public StubCount Served(string key)
    {
        var rows = Counts.Where(c => c.Key == key && c.Path == UpstreamStub.ChatPath && c.Status == 200).ToList();
        return new StubCount(key, UpstreamStub.ChatPath, 200, rows.Sum(r => r.Requests), rows.Sum(r => r.Streamed), rows.Sum(r => r.PromptTokens), rows.Sum(r => r.CompletionTokens));
    }

    /// <summary>Requests under <paramref name="key"/> the stub did not answer 200 (a wrong path, a missing key, a bad body).</summary>
    public long Refused(string key) => Counts.Where(c => c.Key == key && (c.Path != UpstreamStub.ChatPath || c.Status != 200)).Sum(c => c.Requests);

    /// <summary>Requests that carried no bench key at all.</summary>
    public long Unkeyed => Counts.Where(c => c.Key == UpstreamStub.NoKey).Sum(c => c.Requests);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StubStats))]
internal sealed partial class StubJsonContext : JsonSerializerContext;
