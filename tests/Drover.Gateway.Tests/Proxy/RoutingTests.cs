using System.ClientModel;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Drover.Api.V1Alpha1;
using Drover.Gateway.Tests.Support;
using OpenAI.Chat;
using Xunit.Abstractions;

namespace Drover.Gateway.Tests.Proxy;

/// <summary>Live streaming, shared provider limits, and fallback along the chain before the first byte only.</summary>
public sealed class RoutingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private GatewayHarness _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayHarness.StartAsync(output);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private Uri Upstream(string prefix) => new(_gateway.Upstream.BaseAddress, prefix);

    private ChatClient Chat(Agent agent, string model) =>
        new(model, new ApiKeyCredential(_gateway.Cluster.KeyFor(agent)), OpenAISdkTests.Options(_gateway.OpenAIEndpoint));

    [Fact]
    public async Task A_stream_is_live_the_caller_has_chunk_one_before_the_provider_sends_chunk_two()
    {
        _gateway.Cluster.Provider("openai", ProviderTypes.OpenAI, Upstream("/v1"), "sk-provider");
        var agent = _gateway.Cluster.Agent("live", [("openai", "gpt-4o-mini")]);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _gateway.Upstream.Next("/v1/chat/completions", (context, request) => ScriptedUpstream.StreamAsync(context, "openai/chat-stream.sse", request.Model, gate.Task));

        await using var updates = Chat(agent, "gpt-4o-mini").CompleteChatStreamingAsync([new UserChatMessage("Say hello")]).GetAsyncEnumerator();
        Assert.True(await updates.MoveNextAsync().AsTask().WaitAsync(Patience), "the first chunk should arrive while the provider holds the second");
        Assert.Equal("assistant", updates.Current.Role?.ToString().ToLowerInvariant());
        Assert.False(gate.Task.IsCompleted);

        gate.SetResult();
        var text = new StringBuilder();
        while (await updates.MoveNextAsync())
        {
            text.Append(string.Concat(updates.Current.ContentUpdate.Select(p => p.Text)));
        }

        Assert.Equal("Hello world", text.ToString());
    }

    [Fact]
    public async Task Provider_limits_are_shared_by_two_agents_and_a_request_over_them_falls_to_the_next_link()
    {
        _gateway.Cluster.Provider("openai", ProviderTypes.OpenAI, Upstream("/v1"), "sk-provider", configure: spec => spec.Limits = new ProviderLimits { MaxConcurrentRequests = 1 });
        _gateway.Cluster.Provider("backup", ProviderTypes.OpenAICompatible, Upstream("/backup/v1"), "sk-backup");
        var first = _gateway.Cluster.Agent("first", [("openai", "gpt-4o-mini")]);
        var second = _gateway.Cluster.Agent("second", [("openai", "gpt-4o-mini"), ("backup", "llama-3.1-8b")], ns: "team-a");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _gateway.Upstream.Next("/v1/chat/completions", (context, request) => ScriptedUpstream.StreamAsync(context, "openai/chat-stream.sse", request.Model, gate.Task, holding));

        var firstStream = Chat(first, "gpt-4o-mini").CompleteChatStreamingAsync([new UserChatMessage("hold the slot")]).GetAsyncEnumerator();
        Assert.True(await firstStream.MoveNextAsync().AsTask().WaitAsync(Patience));
        await holding.Task.WaitAsync(Patience);

        var answer = await Chat(second, "gpt-4o-mini").CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.Equal("llama-3.1-8b", answer.Value.Model);
        Assert.Equal("llama-3.1-8b", Assert.Single(_gateway.Upstream.To("/backup/v1/chat/completions")).Model);
        Assert.Single(_gateway.Upstream.To("/v1/chat/completions"));
        gate.SetResult();
        while (await firstStream.MoveNextAsync())
        {
        }

        await firstStream.DisposeAsync();

        // With the slot free again the second agent's primary takes it.
        await Chat(second, "gpt-4o-mini").CompleteChatAsync([new UserChatMessage("hi again")]);
        Assert.Equal(2, _gateway.Upstream.To("/v1/chat/completions").Count);
    }

    [Theory]
    [InlineData(429, "openai/error-429.json")]
    [InlineData(503, "openai/error-503.json")]
    public async Task An_upstream_error_falls_back_with_the_model_rewritten(int status, string fixture)
    {
        _gateway.Cluster.Provider("openai", ProviderTypes.OpenAI, Upstream("/v1"), "sk-provider");
        _gateway.Cluster.Provider("backup", ProviderTypes.Groq, Upstream("/backup/v1"), "gsk-backup");
        var agent = _gateway.Cluster.Agent("resilient", [("openai", "gpt-4o"), ("backup", "llama-3.3-70b-versatile")]);
        _gateway.Upstream.NextError("/v1/chat/completions", status, fixture, ("Retry-After", "30"));

        var answer = await Chat(agent, "gpt-4o").CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.Equal("llama-3.3-70b-versatile", answer.Value.Model);
        var fallback = Assert.Single(_gateway.Upstream.To("/backup/v1/chat/completions"));
        Assert.Equal("llama-3.3-70b-versatile", fallback.Model);
        Assert.Equal("Bearer gsk-backup", fallback.Header("authorization"));

        // The provider asked everyone to wait 30 s: the next request does not even try it.
        await Chat(agent, "gpt-4o").CompleteChatAsync([new UserChatMessage("again")]);
        Assert.Single(_gateway.Upstream.To("/v1/chat/completions"));
        Assert.Equal(2, _gateway.Upstream.To("/backup/v1/chat/completions").Count);
    }

    [Fact]
    public async Task A_refused_connection_falls_back_with_the_model_rewritten()
    {
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        _gateway.Cluster.Provider("local", ProviderTypes.Ollama, new Uri($"http://127.0.0.1:{port}/v1"), null);
        _gateway.Cluster.Provider("backup", ProviderTypes.OpenAI, Upstream("/backup/v1"), "sk-backup");
        var agent = _gateway.Cluster.Agent("frugal", [("local", "llama3.2"), ("backup", "gpt-4o-mini")]);

        var answer = await Chat(agent, "llama3.2").CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.Equal("gpt-4o-mini", answer.Value.Model);
        Assert.Equal("gpt-4o-mini", Assert.Single(_gateway.Upstream.To("/backup/v1/chat/completions")).Model);
    }

    [Fact]
    public async Task A_request_for_a_fallback_model_starts_at_that_link()
    {
        _gateway.Cluster.Provider("openai", ProviderTypes.OpenAI, Upstream("/v1"), "sk-provider");
        _gateway.Cluster.Provider("backup", ProviderTypes.OpenAI, Upstream("/backup/v1"), "sk-backup");
        var agent = _gateway.Cluster.Agent("picky", [("openai", "gpt-4o"), ("backup", "gpt-4o-mini")]);

        await Chat(agent, "gpt-4o-mini").CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.Empty(_gateway.Upstream.To("/v1/chat/completions"));
        Assert.Single(_gateway.Upstream.To("/backup/v1/chat/completions"));
    }

    [Fact]
    public async Task Once_a_stream_has_started_there_is_no_fallback()
    {
        _gateway.Cluster.Provider("openai", ProviderTypes.OpenAI, Upstream("/v1"), "sk-provider");
        _gateway.Cluster.Provider("backup", ProviderTypes.OpenAI, Upstream("/backup/v1"), "sk-backup");
        var agent = _gateway.Cluster.Agent("committed", [("openai", "gpt-4o"), ("backup", "gpt-4o-mini")]);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _gateway.Upstream.Next("/v1/chat/completions", (context, request) => ScriptedUpstream.StreamAsync(context, "openai/chat-stream.sse", request.Model, gate.Task, breakAfterFirst: true));

        // The provider cuts the connection once the caller has its first chunk.
        await using var updates = Chat(agent, "gpt-4o").CompleteChatStreamingAsync([new UserChatMessage("hi")]).GetAsyncEnumerator();
        Assert.True(await updates.MoveNextAsync().AsTask().WaitAsync(Patience));
        gate.SetResult();
        var failure = await Record.ExceptionAsync(async () =>
        {
            while (await updates.MoveNextAsync())
            {
            }
        });

        Assert.NotNull(failure);
        Assert.Empty(_gateway.Upstream.To("/backup/v1/chat/completions"));
    }

    [Fact]
    public async Task When_every_link_is_rate_limited_the_caller_gets_429_with_the_earliest_retry_after()
    {
        _gateway.Cluster.Provider("openai", ProviderTypes.OpenAI, Upstream("/v1"), "sk-provider");
        var agent = _gateway.Cluster.Agent("alone", [("openai", "gpt-4o")]);
        _gateway.Upstream.NextError("/v1/chat/completions", 429, "openai/error-429.json", ("Retry-After", "7"));

        var error = await Assert.ThrowsAsync<ClientResultException>(() => Chat(agent, "gpt-4o").CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(429, error.Status);
        Assert.True(error.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var retryAfter));
        Assert.Equal("7", retryAfter);
        Assert.DoesNotContain("sk-provider", error.Message, StringComparison.Ordinal);
    }
}
