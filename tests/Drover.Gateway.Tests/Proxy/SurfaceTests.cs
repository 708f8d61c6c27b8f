using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Drover.Api.V1Alpha1;
using Drover.Gateway.Admission;
using Drover.Gateway.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Drover.Gateway.Tests.Proxy;

/// <summary>The rest of the wire surface, seen over plain HTTP: Responses, size limits, disconnects, TLS.</summary>
public sealed class SurfaceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private GatewayHarness _gateway = null!;
    private string _key = "";

    public async Task InitializeAsync()
    {
        _gateway = await GatewayHarness.StartAsync(output, configure: o => o with { MaxRequestBytes = 64 * 1024 });
        _gateway.Cluster.Provider("openai", ProviderTypes.OpenAI, new Uri(_gateway.Upstream.BaseAddress, "/v1"), "sk-provider");
        _gateway.Cluster.Provider("anthropic", ProviderTypes.Anthropic, _gateway.Upstream.BaseAddress, "sk-ant");
        _key = _gateway.Cluster.KeyFor(_gateway.Cluster.Agent("mixed", [("openai", "gpt-4.1"), ("anthropic", "claude-haiku-4-5")]));
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private async Task<HttpResponseMessage> PostAsync(string path, string body, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_gateway.BaseAddress, path)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _key);
        return await http.SendAsync(request, completion, cancellationToken);
    }

    private Task<WindowUsage> UsageAsync() =>
        _gateway.State.ReadAsync(new BucketKey("team-a", "mixed", null), BudgetDays.Window(default, null, DateTimeOffset.UtcNow).Start, CancellationToken.None).AsTask();

    [Fact]
    public async Task Responses_go_to_openai_providers_with_cached_and_reasoning_tokens_counted()
    {
        using var response = await PostAsync("/v1/responses", """{"model":"gpt-4.1","input":"Tell me a story"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gpt-4.1", Assert.Single(_gateway.Upstream.To("/v1/responses")).Model);
        Assert.Equal(new TokenCounts(328, 52, 128, 10), (await UsageAsync()).Tokens);
    }

    [Fact]
    public async Task Chat_reaches_an_anthropic_provider_through_its_openai_compatible_endpoint()
    {
        using var response = await PostAsync("/v1/chat/completions", """{"model":"claude-haiku-4-5","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(_gateway.Upstream.To("/v1/chat/completions"));
        Assert.Equal(("claude-haiku-4-5", "Bearer sk-ant"), (received.Model, received.Header("authorization")));
    }

    [Fact]
    public async Task A_surface_no_link_serves_is_a_clear_503()
    {
        using var response = await PostAsync("/v1/responses", """{"model":"claude-haiku-4-5","input":"hi"}""");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("(Anthropic) does not serve /v1/responses", (await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Empty(_gateway.Upstream.Received);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_with_413_before_anything_is_sent()
    {
        var body = $$"""{"model":"gpt-4.1","input":"{{new string('x', 70 * 1024)}}"}""";
        using var response = await PostAsync("/v1/responses", body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("request_too_large", (string?)error["code"]);
        Assert.Empty(_gateway.Upstream.Received);
    }

    [Fact]
    public async Task A_caller_that_goes_away_cancels_the_upstream_call_and_is_charged_its_reservation()
    {
        var upstreamCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _gateway.Upstream.Next("/v1/chat/completions", async (context, request) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n");
            await context.Response.Body.FlushAsync();
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                upstreamCancelled.TrySetResult();
            }
        });

        using (var cancel = new CancellationTokenSource())
        {
            using var response = await PostAsync("/v1/chat/completions", """{"model":"gpt-4.1","stream":true,"max_tokens":100,"messages":[{"role":"user","content":"hi"}]}""", HttpCompletionOption.ResponseHeadersRead, cancel.Token);
            using var stream = await response.Content.ReadAsStreamAsync(cancel.Token);
            var first = new byte[64];
            Assert.True(await stream.ReadAsync(first, cancel.Token) > 0);
            await cancel.CancelAsync();
        }

        await upstreamCancelled.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await Eventually.TrueAsync(async () => (await UsageAsync()).Tokens.Output == 100, "the cut-short stream to be charged its reservation");
    }

    [Fact]
    public async Task An_upstream_whose_certificate_is_not_trusted_is_never_sent_the_request()
    {
        await using var untrusted = await SelfSignedUpstream.StartAsync();
        _gateway.Cluster.Provider("imposter", ProviderTypes.OpenAICompatible, new Uri(untrusted.BaseAddress, "/v1"), "sk-imposter");
        _key = _gateway.Cluster.KeyFor(_gateway.Cluster.Agent("careful", [("imposter", "gpt-4.1"), ("openai", "gpt-4.1-mini")]));

        using var response = await PostAsync("/v1/chat/completions", """{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, untrusted.Requests);
        Assert.Equal("gpt-4.1-mini", Assert.Single(_gateway.Upstream.To("/v1/chat/completions")).Model);
    }

    /// <summary>An HTTPS server with a self-signed certificate no trust store knows.</summary>
    private sealed class SelfSignedUpstream : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _requests;

        private SelfSignedUpstream(WebApplication app) => _app = app;

        public Uri BaseAddress { get; private set; } = null!;

        public int Requests => _requests;

        public static async Task<SelfSignedUpstream> StartAsync()
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            var certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
            var app = builder.Build();
            var upstream = new SelfSignedUpstream(app);
            app.Run(context =>
            {
                Interlocked.Increment(ref upstream._requests);
                return context.Response.WriteAsync(ScriptedUpstream.Fixture("openai/chat-basic.json", "imposter"));
            });
            await app.StartAsync();
            upstream.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            return upstream;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
