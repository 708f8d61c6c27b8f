using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Drover.Gateway.Tests.Support;

/// <summary>What the upstream received: the gateway's request as a provider sees it.</summary>
public sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonNode? Json => Body.Length == 0 ? null : JsonNode.Parse(Body);

    public string? Model => Json?["model"]?.GetValue<string>();

    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
}

/// <summary>
/// A provider stand-in on loopback speaking the documented wire formats (see Fixtures/README.md). It records every
/// request and answers from scripts queued per path, or by default with the fixture for the path.
/// </summary>
public sealed class ScriptedUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Func<HttpContext, ReceivedRequest, Task>>> _scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();

    private ScriptedUpstream(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyList<ReceivedRequest> Received => [.. _received];

    public static async Task<ScriptedUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var upstream = new ScriptedUpstream(app);
        app.Run(upstream.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        upstream.BaseAddress = new Uri(address);
        return upstream;
    }

    /// <summary>Queues a script for the next request to <paramref name="path"/>; later requests fall back to the fixture.</summary>
    public void Next(string path, Func<HttpContext, ReceivedRequest, Task> script) =>
        _scripts.GetOrAdd(path, _ => new ConcurrentQueue<Func<HttpContext, ReceivedRequest, Task>>()).Enqueue(script);

    /// <summary>Answers the next request to <paramref name="path"/> with a status, a fixture body and headers.</summary>
    public void NextError(string path, int status, string fixture, params (string Name, string Value)[] headers) =>
        Next(path, async (context, request) =>
        {
            context.Response.StatusCode = status;
            foreach (var (name, value) in headers)
            {
                context.Response.Headers[name] = value;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(Fixture(fixture, request.Model));
        });

    public IReadOnlyList<ReceivedRequest> To(string path) => [.. _received.Where(r => r.Path == path)];

    public static string Fixture(string name, string? model) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name)).Replace("{model}", model ?? "unknown", StringComparison.Ordinal);

    /// <summary>
    /// Writes an SSE fixture event by event, flushing each, optionally pausing after the first event until
    /// <paramref name="gate"/> opens; with <paramref name="breakAfterFirst"/> the connection is cut at that point instead.
    /// </summary>
    public static async Task StreamAsync(HttpContext context, string fixture, string? model, Task? gate = null, TaskCompletionSource? firstSent = null, bool breakAfterFirst = false)
    {
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        var events = Fixture(fixture, model).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < events.Length; i++)
        {
            await context.Response.WriteAsync(events[i] + "\n\n");
            await context.Response.Body.FlushAsync();
            if (i == 0)
            {
                firstSent?.TrySetResult();
                if (gate is not null)
                {
                    await gate;
                }

                if (breakAfterFirst)
                {
                    context.Abort();
                    return;
                }
            }
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var request = new ReceivedRequest(context.Request.Method, context.Request.Path.Value ?? "", headers, body);
        _received.Enqueue(request);
        if (_scripts.TryGetValue(request.Path, out var queue) && queue.TryDequeue(out var script))
        {
            await script(context, request);
            return;
        }

        var stream = request.Json?["stream"]?.GetValue<bool>() == true;
        var fixture = request.Path switch
        {
            var p when p.EndsWith("/chat/completions", StringComparison.Ordinal) => stream ? "openai/chat-stream.sse" : "openai/chat-basic.json",
            var p when p.EndsWith("/embeddings", StringComparison.Ordinal) => "openai/embeddings.json",
            var p when p.EndsWith("/responses", StringComparison.Ordinal) => "openai/responses.json",
            var p when p.EndsWith("/messages", StringComparison.Ordinal) => stream ? "anthropic/message-stream.sse" : "anthropic/message.json",
            _ => null,
        };
        if (fixture is null)
        {
            context.Response.StatusCode = 404;
            return;
        }

        if (fixture.EndsWith(".sse", StringComparison.Ordinal))
        {
            await StreamAsync(context, fixture, request.Model);
            return;
        }

        context.Response.ContentType = "application/json";
        context.Response.Headers["x-request-id"] = "req_upstream";
        await context.Response.WriteAsync(Fixture(fixture, request.Model));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
