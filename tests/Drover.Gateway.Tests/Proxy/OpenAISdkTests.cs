using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Headers;
using System.Text;
using Drover.Api.V1Alpha1;
using Drover.Gateway.Admission;
using Drover.Gateway.Tests.Support;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;
using OpenAI.Models;
using Xunit.Abstractions;

namespace Drover.Gateway.Tests.Proxy;

/// <summary>The official OpenAI .NET SDK, unmodified, against the gateway with an agent's key.</summary>
public sealed class OpenAISdkTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string ProviderKey = "sk-provider-secret-0123456789";
    private GatewayHarness _gateway = null!;
    private Agent _agent = null!;
    private string _key = "";

    public async Task InitializeAsync()
    {
        _gateway = await GatewayHarness.StartAsync(output);
        _gateway.Cluster.Provider("openai", ProviderTypes.OpenAI, new Uri(_gateway.Upstream.BaseAddress, "/v1"), ProviderKey, configure: spec =>
            spec.Pricing = [new ModelPricing { Model = "gpt-4o-mini", InputPerMillion = 0.15m, OutputPerMillion = 0.60m, CachedInputPerMillion = 0.075m }]);
        _agent = _gateway.Cluster.Agent("writer", [("openai", "gpt-4o-mini"), ("openai", "text-embedding-3-small")]);
        _key = _gateway.Cluster.KeyFor(_agent);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    internal static OpenAIClientOptions Options(Uri endpoint) => new() { Endpoint = endpoint, RetryPolicy = new ClientRetryPolicy(maxRetries: 0) };

    private ChatClient Chat(string model, string? key = null) => new(model, new ApiKeyCredential(key ?? _key), Options(_gateway.OpenAIEndpoint));

    private Task<WindowUsage> AgentUsageAsync() =>
        _gateway.State.ReadAsync(new BucketKey("team-a", "writer", null), BudgetDays.Window(new BucketKey("team-a", "writer", null), null, DateTimeOffset.UtcNow).Start, CancellationToken.None).AsTask();

    [Fact]
    public async Task Json_chat_reaches_the_provider_with_its_key_and_the_caller_never_sees_it()
    {
        var result = await Chat("gpt-4o-mini").CompleteChatAsync([new UserChatMessage("Say hi")]);

        Assert.Equal("Hi there! How can I help?", result.Value.Content[0].Text);
        Assert.Equal(385, result.Value.Usage.TotalTokenCount);
        var received = Assert.Single(_gateway.Upstream.To("/v1/chat/completions"));
        Assert.Equal("Bearer " + ProviderKey, received.Header("authorization"));
        Assert.Null(received.Header("x-api-key"));
        Assert.DoesNotContain(_key, string.Join("\n", received.Headers.Values) + received.Body, StringComparison.Ordinal);
        var raw = result.GetRawResponse();
        Assert.DoesNotContain(ProviderKey, raw.Content.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(raw.Headers, h => h.Value.Contains(ProviderKey, StringComparison.Ordinal));

        var usage = await AgentUsageAsync();
        Assert.Equal(new TokenCounts(8, 377, 0, 320), usage.Tokens);
        Assert.Equal(1, usage.Requests);
        Assert.Equal((8 * 0.15m + 377 * 0.60m) / 1_000_000m, usage.Cost);
        var model = Assert.Single(usage.ByModel);
        Assert.Equal(("team-a/openai", "gpt-4o-mini"), (model.Provider, model.Model));
    }

    [Fact]
    public async Task Streaming_chat_arrives_chunk_by_chunk_with_the_usage_the_sdk_asked_for()
    {
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        await foreach (var update in Chat("gpt-4o-mini").CompleteChatStreamingAsync([new UserChatMessage("Say hello")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            usage = update.Usage ?? usage;
        }

        Assert.Equal("Hello world", text.ToString());
        Assert.Equal(112, usage?.TotalTokenCount);
        var counted = await AgentUsageAsync();
        Assert.Equal(new TokenCounts(12, 100, 4, 60), counted.Tokens);
    }

    [Fact]
    public async Task A_stream_that_did_not_ask_for_usage_gets_none_but_the_gateway_counts_it()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_gateway.BaseAddress, "/v1/chat/completions"))
        {
            Content = new StringContent("""{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Say hello"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _key);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("\"prompt_tokens\"", body, StringComparison.Ordinal);
        Assert.Contains("data: [DONE]", body, StringComparison.Ordinal);
        Assert.Equal(5, body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Length);
        var sent = Assert.Single(_gateway.Upstream.To("/v1/chat/completions"));
        Assert.True(sent.Json!["stream_options"]!["include_usage"]!.GetValue<bool>());
        Assert.Equal(new TokenCounts(12, 100, 4, 60), (await AgentUsageAsync()).Tokens);
    }

    [Fact]
    public async Task Embeddings_pass_through_and_count_their_input()
    {
        var client = new EmbeddingClient("text-embedding-3-small", new ApiKeyCredential(_key), Options(_gateway.OpenAIEndpoint));
        var embedding = await client.GenerateEmbeddingAsync("The food was delicious.");

        Assert.Equal([0.017608326f, -0.0031528f, 0.0094471f, 0.0261107f], embedding.Value.ToFloats().ToArray());
        Assert.Equal("Bearer " + ProviderKey, Assert.Single(_gateway.Upstream.To("/v1/embeddings")).Header("authorization"));
        Assert.Equal(new TokenCounts(7, 0, 0, 0), (await AgentUsageAsync()).Tokens);
    }

    [Fact]
    public async Task Models_lists_the_agents_chain()
    {
        var client = new OpenAIModelClient(new ApiKeyCredential(_key), Options(_gateway.OpenAIEndpoint));
        var models = await client.GetModelsAsync();

        Assert.Equal(["gpt-4o-mini", "text-embedding-3-small"], models.Value.Select(m => m.Id).ToArray());
        Assert.Empty(_gateway.Upstream.Received);
    }

    [Fact]
    public async Task A_model_outside_the_chain_is_forbidden_naming_the_allowed_models()
    {
        var error = await Assert.ThrowsAsync<ClientResultException>(() => Chat("gpt-5").CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(403, error.Status);
        Assert.Contains("gpt-4o-mini, text-embedding-3-small", error.Message, StringComparison.Ordinal);
        Assert.Empty(_gateway.Upstream.Received);
    }

    [Fact]
    public async Task Unknown_revoked_and_orphaned_keys_get_401()
    {
        var unknown = await Assert.ThrowsAsync<ClientResultException>(() => Chat("gpt-4o-mini", "drv_not-a-key").CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(401, unknown.Status);

        _gateway.Cluster.Keys.Remove(TestCluster.KeySecret(_agent, _key));
        var revoked = await Assert.ThrowsAsync<ClientResultException>(() => Chat("gpt-4o-mini").CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(401, revoked.Status);

        // A key whose Agent was deleted and recreated under the same name is not the new agent's key.
        var key = _gateway.Cluster.KeyFor(_agent);
        _gateway.Cluster.Agent("writer", [("openai", "gpt-4o-mini")]);
        var orphaned = await Assert.ThrowsAsync<ClientResultException>(() => Chat("gpt-4o-mini", key).CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(401, orphaned.Status);
        Assert.Empty(_gateway.Upstream.Received);
    }

    [Fact]
    public async Task A_provider_whose_credentials_are_not_labelled_is_unusable_with_a_clear_503()
    {
        _gateway.Cluster.Credentials("team-a", "openai-credentials", "api-key", ProviderKey, labelled: false);

        var error = await Assert.ThrowsAsync<ClientResultException>(() => Chat("gpt-4o-mini").CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(503, error.Status);
        Assert.Contains("drover.dev/provider-credentials=true", error.Message, StringComparison.Ordinal);
        Assert.Empty(_gateway.Upstream.Received);
    }
}
