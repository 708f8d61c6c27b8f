using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Drover.DevCluster;

namespace Drover.DevCluster.Tests.Server;

/// <summary>Starts a fresh dev cluster per test on a free port and talks plain HTTP to it.</summary>
public abstract class ClusterTestBase : IAsyncLifetime
{
    protected DevClusterServer Server { get; private set; } = null!;

    protected HttpClient Http { get; private set; } = null!;

    protected virtual DevClusterOptions Options => new();

    public async Task InitializeAsync()
    {
        Server = await DevClusterServer.StartAsync(Options);
        Http = new HttpClient(Server.CreateHttpHandler()) { BaseAddress = Server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }

    protected async Task<Reply> SendAsync(HttpMethod method, string path, JsonNode? body = null, string contentType = "application/json", string? accept = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var warnings = response.Headers.TryGetValues("Warning", out var values) ? values.ToList() : [];
        JsonObject? json = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/json" && text.Length > 0)
        {
            json = JsonNode.Parse(text) as JsonObject;
        }

        return new Reply(response.StatusCode, json, text, warnings, response.Headers.RetryAfter);
    }

    protected Task<Reply> GetAsync(string path, string? accept = null) => SendAsync(HttpMethod.Get, path, accept: accept);

    protected Task<Reply> PostAsync(string path, JsonNode body) => SendAsync(HttpMethod.Post, path, body);

    protected Task<Reply> PutAsync(string path, JsonNode body) => SendAsync(HttpMethod.Put, path, body);

    protected Task<Reply> PatchAsync(string path, JsonNode body, string contentType = "application/merge-patch+json") =>
        SendAsync(HttpMethod.Patch, path, body, contentType);

    protected Task<Reply> DeleteAsync(string path, JsonNode? body = null) => SendAsync(HttpMethod.Delete, path, body);

    protected async Task<JsonObject> CreateOkAsync(string path, JsonNode body)
    {
        var reply = await PostAsync(path, body);
        Assert.True(reply.Status == HttpStatusCode.Created, $"create {path}: {(int)reply.Status} {reply.Text}");
        return reply.Json!;
    }

    protected static JsonObject ConfigMap(string name, string value = "a", JsonObject? labels = null) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels },
        ["data"] = new JsonObject { ["key"] = value },
    };

    protected static JsonObject Deployment(string name, int replicas = 1, string image = "nginx:1") => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = name } },
                ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "main", ["image"] = image }) },
            },
        },
    };

    protected static string Rv(JsonObject obj) => obj["metadata"]!["resourceVersion"]!.GetValue<string>();

    protected static long Generation(JsonObject obj) => obj["metadata"]!["generation"]!.GetValue<long>();

    /// <summary>Polls until <paramref name="condition"/> holds, failing after the deadline.</summary>
    protected static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"timed out waiting for {what}");
    }

    protected async Task<WatchReader> WatchAsync(string path)
    {
        var response = await Http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        return new WatchReader(response, await response.Content.ReadAsStreamAsync());
    }
}

public sealed record Reply(HttpStatusCode Status, JsonObject? Json, string Text, IReadOnlyList<string> Warnings, RetryConditionHeaderValue? RetryAfter)
{
    public string? Reason => Json?["reason"]?.GetValue<string>();

    public string? Message => Json?["message"]?.GetValue<string>();
}

/// <summary>Reads a watch response line by line, as client-go and the C# client do.</summary>
public sealed class WatchReader : IDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;
    private Task<string?>? _pending;

    public WatchReader(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body);
    }

    public HttpResponseMessage Response => _response;

    /// <summary>The next event, or null when the stream ended; fails when nothing arrives in time.</summary>
    public async Task<(string Type, JsonObject Object)?> NextAsync(int timeoutMs = 5000)
    {
        _pending ??= _reader.ReadLineAsync();
        var finished = await Task.WhenAny(_pending, Task.Delay(timeoutMs));
        if (finished != _pending)
        {
            throw new TimeoutException("no watch event arrived in time");
        }

        var line = await _pending;
        _pending = null;
        if (line is null)
        {
            return null;
        }

        var node = JsonNode.Parse(line)!.AsObject();
        return (node["type"]!.GetValue<string>(), node["object"]!.AsObject());
    }

    /// <summary>True when no event arrives within the window.</summary>
    public async Task<bool> QuietAsync(int windowMs = 300)
    {
        _pending ??= _reader.ReadLineAsync();
        var finished = await Task.WhenAny(_pending, Task.Delay(windowMs));
        return finished != _pending;
    }

    public void Dispose()
    {
        _reader.Dispose();
        _response.Dispose();
    }
}
