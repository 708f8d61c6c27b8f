using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Drover.GatewayBench.Stub;

/// <summary>
/// The upstream every path ends at: <c>POST /v1/chat/completions</c> answered after a fixed delay, JSON or SSE, with
/// usage; <c>GET /stats</c> says what it served to whom. Answers are built once per distinct request and reused, so
/// the stub's own cost per request is the HTTP exchange.
/// </summary>
internal static class UpstreamStub
{
    public const string ChatPath = "/v1/chat/completions";
    public const string StatsPath = "/stats";

    /// <summary>The label counted for a request without a bench key.</summary>
    public const string NoKey = "-";

    private const int MaxBody = 1 << 20;

    /// <summary>A stub on 127.0.0.1:<paramref name="port"/> (0: any free port), built but not started.</summary>
    public static WebApplication Build(StubOptions options, int port, StubCounts counts)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        var json = new ConcurrentDictionary<(string, long), byte[]>();
        var streams = new ConcurrentDictionary<(string, long, bool), IReadOnlyList<byte[]>>();
        app.Run(context => ServeAsync(context, options, counts, json, streams));
        return app;
    }

    /// <summary>The base address once started (<c>http://127.0.0.1:PORT</c>).</summary>
    public static Uri Address(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return new Uri(app.Urls.First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
    }

    private static async Task ServeAsync(
        HttpContext context,
        StubOptions options,
        StubCounts counts,
        ConcurrentDictionary<(string, long), byte[]> json,
        ConcurrentDictionary<(string, long, bool), IReadOnlyList<byte[]>> streams)
    {
        var request = context.Request;
        var response = context.Response;
        var path = request.Path.Value ?? "";
        if (path == StatsPath && HttpMethods.IsGet(request.Method))
        {
            response.ContentType = "application/json";
            await response.WriteAsync(JsonSerializer.Serialize(counts.Snapshot(), StubJsonContext.Default.StubStats));
            return;
        }

        var key = ChatReply.KeyLabel(request.Headers.Authorization.ToString());
        if (key is null)
        {
            counts.Add(NoKey, path, 401, false, 0, 0);
            await ErrorAsync(response, 401, "invalid_api_key", "The stub answers only keys sk-bench-<label>.");
            return;
        }

        if (path != ChatPath || !HttpMethods.IsPost(request.Method))
        {
            counts.Add(key, path, 404, false, 0, 0);
            await ErrorAsync(response, 404, "not_found", $"The stub serves POST {ChatPath}, not {request.Method} {path}.");
            return;
        }

        var body = await ReadAsync(request);
        var parsed = body is null ? null : ChatReply.ParseRequest(body);
        if (parsed is not { } ask)
        {
            counts.Add(key, path, 400, false, 0, 0);
            await ErrorAsync(response, 400, "invalid_request_error", "The body is not a JSON object naming a model.");
            return;
        }

        var prompt = ChatReply.PromptTokens(body!.Length);
        if (options.Delay > TimeSpan.Zero)
        {
            await Task.Delay(options.Delay, context.RequestAborted);
        }

        if (!ask.Stream)
        {
            var answer = json.GetOrAdd((ask.Model, prompt), k => ChatReply.Json(k.Item1, k.Item2, options.CompletionTokens));
            response.ContentType = "application/json";
            response.ContentLength = answer.Length;
            await response.Body.WriteAsync(answer, context.RequestAborted);
            counts.Add(key, path, 200, false, prompt, options.CompletionTokens);
            return;
        }

        var events = streams.GetOrAdd((ask.Model, prompt, ask.IncludeUsage), k => ChatReply.Stream(k.Item1, k.Item2, options.CompletionTokens, options.ChunkTokens, k.Item3));
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.StartAsync(context.RequestAborted);
        foreach (var data in events)
        {
            // One write and flush per event, as a provider sends tokens as they are generated.
            await response.Body.WriteAsync(data, context.RequestAborted);
            await response.Body.FlushAsync(context.RequestAborted);
        }

        counts.Add(key, path, 200, true, prompt, options.CompletionTokens);
    }

    private static async Task<byte[]?> ReadAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxBody)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>((int)(request.ContentLength ?? 1024));
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await request.Body.ReadAsync(memory);
            if (read == 0)
            {
                return buffer.WrittenSpan.ToArray();
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > MaxBody)
            {
                return null;
            }
        }
    }

    private static Task ErrorAsync(HttpResponse response, int status, string code, string message)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("message", message);
            json.WriteString("type", status == 401 ? "invalid_request_error" : code);
            json.WriteString("code", code);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return response.Body.WriteAsync(buffer.WrittenMemory).AsTask();
    }
}
