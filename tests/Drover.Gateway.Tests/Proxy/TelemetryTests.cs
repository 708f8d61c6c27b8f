using System.ClientModel;
using Drover.Api.V1Alpha1;
using Drover.Gateway.Proxy;
using Drover.Gateway.Tests.Support;
using OpenAI.Chat;
using Xunit.Abstractions;

namespace Drover.Gateway.Tests.Proxy;

public sealed class TelemetryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Each_request_is_one_log_line_without_prompt_completion_or_key_and_metrics_stay_off_the_model_port()
    {
        await using var gateway = await GatewayHarness.StartAsync(output);
        gateway.Cluster.Provider("openai", ProviderTypes.OpenAI, new Uri(gateway.Upstream.BaseAddress, "/v1"), "sk-provider-secret");
        var key = gateway.Cluster.KeyFor(gateway.Cluster.Agent("quiet", [("openai", "gpt-4o-mini")]));
        var chat = new ChatClient("gpt-4o-mini", new ApiKeyCredential(key), OpenAISdkTests.Options(gateway.OpenAIEndpoint));

        await chat.CompleteChatAsync([new UserChatMessage("my secret prompt")]);
        var other = new ChatClient("gpt-5", new ApiKeyCredential(key), OpenAISdkTests.Options(gateway.OpenAIEndpoint));
        await Assert.ThrowsAsync<ClientResultException>(() => other.CompleteChatAsync([new UserChatMessage("my secret prompt")]));

        var lines = gateway.LogLines.Where(l => l.Category == typeof(ModelProxy).FullName).Select(l => l.Message).ToList();
        var requests = lines.Where(l => l.StartsWith("POST /v1/chat/completions", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, requests.Count);
        Assert.Contains("agent=team-a/quiet", requests[0], StringComparison.Ordinal);
        Assert.Contains("input=8 output=377", requests[0], StringComparison.Ordinal);
        foreach (var line in gateway.LogLines.Select(l => l.Message))
        {
            Assert.DoesNotContain("my secret prompt", line, StringComparison.Ordinal);
            Assert.DoesNotContain("Hi there", line, StringComparison.Ordinal);
            Assert.DoesNotContain(key, line, StringComparison.Ordinal);
            Assert.DoesNotContain("sk-provider-secret", line, StringComparison.Ordinal);
        }

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(gateway.MetricsAddress, "/metrics"));
        Assert.Contains("drover_gateway_requests_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("drover_gateway_tokens_total{namespace=\"team-a\",agent=\"quiet\",provider=\"team-a/openai\",model=\"gpt-4o-mini\",type=\"reasoning\"} 320", metrics, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(new Uri(gateway.BaseAddress, "/metrics"))).StatusCode);
    }
}
