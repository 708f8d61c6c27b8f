using System.Text.Json.Nodes;
using Drover.DevCluster.Http;
using Microsoft.AspNetCore.Http;

namespace Drover.DevCluster.TestControls;

/// <summary>
/// <c>GET /debug/requests</c> answers the <see cref="RequestCounters"/> as JSON, and <c>POST /debug/requests/reset</c>
/// zeroes them, so a tool in another process (a benchmark) can count the API requests a client made. Dev cluster
/// only: a real API server has nothing like it. These requests are not themselves counted.
/// </summary>
internal static class RequestCountersEndpoint
{
    public const string Path = "/debug/requests";

    /// <summary>Serves the request when it is for this endpoint; false leaves it to the API.</summary>
    public static async Task<bool> TryServeAsync(HttpContext context, RequestCounters counters)
    {
        var path = (context.Request.Path.Value ?? "/").TrimEnd('/');
        var method = context.Request.Method;
        if (path == Path && HttpMethods.IsGet(method))
        {
            await ResponseWriting.WriteJsonAsync(context, 200, Document(counters));
            return true;
        }

        if (path == Path + "/reset" && HttpMethods.IsPost(method))
        {
            counters.Reset();
            context.Response.StatusCode = 204;
            return true;
        }

        if (path == Path || path == Path + "/reset")
        {
            context.Response.StatusCode = 405;
            context.Response.Headers.Allow = path == Path ? "GET" : "POST";
            return true;
        }

        return false;
    }

    /// <summary><c>{"writes": N, "requests": [{"client", "verb", "resource", "count"}, ...]}</c>, sorted.</summary>
    internal static JsonObject Document(RequestCounters counters)
    {
        var snapshot = counters.SnapshotByClient();
        var requests = new JsonArray();
        foreach (var ((client, verb, resource), count) in snapshot.OrderBy(kv => kv.Key.Client, StringComparer.Ordinal)
                     .ThenBy(kv => kv.Key.Resource, StringComparer.Ordinal)
                     .ThenBy(kv => kv.Key.Verb, StringComparer.Ordinal))
        {
            requests.Add(new JsonObject { ["client"] = client, ["verb"] = verb, ["resource"] = resource, ["count"] = count });
        }

        return new JsonObject
        {
            ["writes"] = snapshot.Where(kv => RequestCounters.IsWrite(kv.Key.Verb)).Sum(kv => kv.Value),
            ["requests"] = requests,
        };
    }
}
