using System.Text;
using Anthropic;
using Anthropic.Core;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using Drover.Api.V1Alpha1;
using Drover.Gateway.Admission;
using Drover.Gateway.Tests.Support;
using Xunit.Abstractions;

namespace Drover.Gateway.Tests.Proxy;

/// <summary>The official Anthropic .NET SDK, unmodified, against the gateway with an agent's key.</summary>
public sealed class AnthropicSdkTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string ProviderKey = "sk-ant-provider-secret-abcdef";
    private const string Model = "claude-sonnet-4-5";
    private GatewayHarness _gateway = null!;
    private string _key = "";

    public async Task InitializeAsync()
    {
        _gateway = await GatewayHarness.StartAsync(output);
        _gateway.Cluster.Provider("anthropic", ProviderTypes.Anthropic, _gateway.Upstream.BaseAddress, ProviderKey);
        var agent = _gateway.Cluster.Agent("researcher", [("anthropic", Model)], new Budget { TokensPerDay = 50 });
        _key = _gateway.Cluster.KeyFor(agent);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private AnthropicClient Client() => new(new ClientOptions { ApiKey = _key, BaseUrl = _gateway.BaseAddress.ToString().TrimEnd('/'), MaxRetries = 0 });

    private static MessageCreateParams Ask(string text) => new()
    {
        Model = Model,
        MaxTokens = 40,
        Messages = [new UserMessageParam(text)],
    };

    private Task<WindowUsage> UsageAsync() =>
        _gateway.State.ReadAsync(new BucketKey("team-a", "researcher", null), BudgetDays.Window(new BucketKey("team-a", "researcher", null), null, DateTimeOffset.UtcNow).Start, CancellationToken.None).AsTask();

    [Fact]
    public async Task Messages_reach_the_provider_with_its_key_as_x_api_key_and_never_the_gateway_key()
    {
        var message = await Client().Messages.Create(Ask("Hello"));

        Assert.Equal("msg_01XFDUDYJgAACzvnptvVoYEL", message.ID);
        Assert.Equal(25, message.Usage.OutputTokens);
        var received = Assert.Single(_gateway.Upstream.To("/v1/messages"));
        Assert.Equal(ProviderKey, received.Header("x-api-key"));
        Assert.Null(received.Header("authorization"));
        Assert.StartsWith("20", received.Header("anthropic-version"), StringComparison.Ordinal);
        Assert.DoesNotContain(_key, string.Join("\n", received.Headers.Values) + received.Body, StringComparison.Ordinal);

        // Anthropic's input_tokens leave out the cache: the gateway counts writes and reads into input.
        Assert.Equal(new TokenCounts(35, 25, 20, 0), (await UsageAsync()).Tokens);
    }

    [Fact]
    public async Task Streamed_messages_arrive_event_by_event_with_cumulative_usage_counted_once()
    {
        var text = new StringBuilder();
        await foreach (var streamEvent in Client().Messages.CreateStreaming(Ask("Hello")))
        {
            if (streamEvent.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var textDelta))
            {
                text.Append(textDelta.Text);
            }
        }

        Assert.Equal("Hello there", text.ToString());
        Assert.Equal(new TokenCounts(11, 6, 0, 0), (await UsageAsync()).Tokens);
    }

    [Fact]
    public async Task Models_list_in_anthropics_shape()
    {
        var page = await Client().Models.List();

        Assert.Equal([Model], page.Items.Select(m => m.ID).ToArray());
    }

    [Fact]
    public async Task A_spent_budget_is_the_sdks_own_rate_limit_error_with_retry_after_at_midnight()
    {
        await Client().Messages.Create(Ask("Spend it"));

        var error = await Assert.ThrowsAsync<AnthropicRateLimitException>(() => Client().Messages.Create(Ask("More")));

        Assert.Contains("daily budget of agent team-a/researcher is spent", error.Message, StringComparison.Ordinal);
        Assert.Single(_gateway.Upstream.Received);
    }

    [Fact]
    public async Task An_unknown_key_is_the_sdks_authentication_error()
    {
        var client = new AnthropicClient(new ClientOptions { ApiKey = "drv_unknown", BaseUrl = _gateway.BaseAddress.ToString().TrimEnd('/'), MaxRetries = 0 });

        await Assert.ThrowsAsync<AnthropicUnauthorizedException>(() => client.Messages.Create(Ask("Hello")));
        Assert.Empty(_gateway.Upstream.Received);
    }
}
