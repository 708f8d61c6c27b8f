using System.ClientModel;
using Drover.Api.V1Alpha1;
using Drover.Gateway.Admission;
using Drover.Gateway.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using OpenAI.Chat;
using Xunit.Abstractions;

namespace Drover.Gateway.Tests.Proxy;

/// <summary>Budgets are checked before admission, with reservations for requests in flight.</summary>
public sealed class BudgetTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Fifty_concurrent_requests_against_a_nearly_spent_budget_overshoot_by_no_more_than_one_reservation()
    {
        await using var gateway = await GatewayHarness.StartAsync(output);
        gateway.Cluster.Provider("openai", ProviderTypes.OpenAI, new Uri(gateway.Upstream.BaseAddress, "/v1"), "sk-provider");
        var agent = gateway.Cluster.Agent("busy", [("openai", "gpt-4o-mini")], new Budget { TokensPerDay = 1000 });
        var key = gateway.Cluster.KeyFor(agent);
        var bucket = new BucketKey("team-a", "busy", null);
        var window = BudgetDays.Window(bucket, agent.Spec.Budget, DateTimeOffset.UtcNow);
        await gateway.State.RestoreAsync(bucket, window.Start, new WindowUsage(new TokenCounts(400, 500, 0, 0), 20, 0, 0m, []), CancellationToken.None);

        // Every admitted request is held upstream until all 50 have been decided, so they are truly in flight together;
        // each then uses what a provider honouring max_completion_tokens would: 10 in, 40 out.
        const int Requests = 50;
        var decided = 0;
        var allDecided = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Decided()
        {
            if (Interlocked.Increment(ref decided) == Requests)
            {
                allDecided.TrySetResult();
            }
        }

        for (var i = 0; i < Requests; i++)
        {
            gateway.Upstream.Next("/v1/chat/completions", async (context, request) =>
            {
                Decided();
                await allDecided.Task.WaitAsync(TimeSpan.FromSeconds(30));
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync($$$"""{"id":"c","object":"chat.completion","created":1,"model":"{{{request.Model}}}","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"length"}],"usage":{"prompt_tokens":10,"completion_tokens":40,"total_tokens":50}}""");
            });
        }

        var chat = new ChatClient("gpt-4o-mini", new ApiKeyCredential(key), OpenAISdkTests.Options(gateway.OpenAIEndpoint));
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Requests).Select(async _ =>
        {
            try
            {
                await chat.CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 40 });
                return 200;
            }
            catch (ClientResultException e)
            {
                if (e.Status == 429)
                {
                    Decided();
                }

                return e.Status;
            }
        }));

        var admitted = outcomes.Count(s => s == 200);
        Assert.All(outcomes, s => Assert.Contains(s, new[] { 200, 429 }));
        var usage = await gateway.State.ReadAsync(bucket, window.Start, CancellationToken.None);

        // A reservation is the output cap plus an input estimate of the body (bytes ÷ 4, here under 100 tokens).
        const int LargestReservation = 40 + 100;
        Assert.InRange(usage.Tokens.Total, 1000, 1000 + LargestReservation);
        Assert.InRange(admitted, 1, 3);
        Assert.Equal(admitted, gateway.Upstream.Received.Count);
        Assert.Equal(20 + admitted, usage.Requests);
    }

    [Fact]
    public async Task The_refusal_is_the_openai_sdks_rate_limit_error_and_the_window_resets_at_midnight_in_its_time_zone()
    {
        // 22:30 UTC on 28 March 2026 is 23:30 in Berlin (CET, UTC+1): the budget day ends at 23:00 UTC.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 28, 22, 30, 0, TimeSpan.Zero));
        await using var gateway = await GatewayHarness.StartAsync(output, clock);
        gateway.Cluster.Provider("openai", ProviderTypes.OpenAI, new Uri(gateway.Upstream.BaseAddress, "/v1"), "sk-provider");
        var agent = gateway.Cluster.Agent("nightly", [("openai", "gpt-4o-mini")], new Budget { TokensPerDay = 100, TimeZone = "Europe/Berlin" });
        var chat = new ChatClient("gpt-4o-mini", new ApiKeyCredential(gateway.Cluster.KeyFor(agent)), OpenAISdkTests.Options(gateway.OpenAIEndpoint));

        await chat.CompleteChatAsync([new UserChatMessage("spend it")]);
        var refused = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("more")]));

        Assert.Equal(429, refused.Status);
        var response = refused.GetRawResponse()!;
        Assert.True(response.Headers.TryGetValue("Retry-After", out var retryAfter));
        Assert.Equal("1800", retryAfter);
        Assert.Equal("false", response.Headers.TryGetValue("x-should-retry", out var shouldRetry) ? shouldRetry : null);
        Assert.Contains("385 of 100 tokens", refused.Message, StringComparison.Ordinal);
        Assert.Contains("resets at 2026-03-28T23:00:00Z", refused.Message, StringComparison.Ordinal);
        Assert.Contains(gateway.Observer.Crossings, c => c.Percent == 100);

        clock.Advance(TimeSpan.FromMinutes(29));
        await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("still today")]));

        clock.Advance(TimeSpan.FromMinutes(1));
        var tomorrow = await chat.CompleteChatAsync([new UserChatMessage("a new day")]);
        Assert.Equal("Hi there! How can I help?", tomorrow.Value.Content[0].Text);
        Assert.Equal(2, gateway.Upstream.Received.Count);
    }

    [Fact]
    public async Task A_schedules_runs_count_inside_its_agents_budget_and_must_fit_both()
    {
        await using var gateway = await GatewayHarness.StartAsync(output);
        gateway.Cluster.Provider("openai", ProviderTypes.OpenAI, new Uri(gateway.Upstream.BaseAddress, "/v1"), "sk-provider");
        var agent = gateway.Cluster.Agent("digest", [("openai", "gpt-4o-mini")], new Budget { TokensPerDay = 10_000 });
        var schedule = gateway.Cluster.Schedule("morning", "digest", new Budget { TokensPerDay = 300 });
        var agentChat = new ChatClient("gpt-4o-mini", new ApiKeyCredential(gateway.Cluster.KeyFor(agent)), OpenAISdkTests.Options(gateway.OpenAIEndpoint));
        var scheduleChat = new ChatClient("gpt-4o-mini", new ApiKeyCredential(gateway.Cluster.KeyFor(schedule)), OpenAISdkTests.Options(gateway.OpenAIEndpoint));

        await scheduleChat.CompleteChatAsync([new UserChatMessage("run")]);
        var refused = await Assert.ThrowsAsync<ClientResultException>(() => scheduleChat.CompleteChatAsync([new UserChatMessage("again")]));
        await agentChat.CompleteChatAsync([new UserChatMessage("the agent itself still has room")]);

        Assert.Equal(429, refused.Status);
        Assert.Contains("schedule team-a/morning", refused.Message, StringComparison.Ordinal);
        var now = DateTimeOffset.UtcNow;
        var agentUsage = await gateway.State.ReadAsync(new BucketKey("team-a", "digest", null), BudgetDays.Window(default, null, now).Start, CancellationToken.None);
        var scheduleUsage = await gateway.State.ReadAsync(new BucketKey("team-a", "digest", "morning"), BudgetDays.Window(default, null, now).Start, CancellationToken.None);
        Assert.Equal(770, agentUsage.Tokens.Total);
        Assert.Equal(385, scheduleUsage.Tokens.Total);
    }
}
