using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using Drover.GatewayBench;
using Drover.GatewayBench.Load;
using Drover.GatewayBench.Paths;
using Drover.GatewayBench.Stub;
using Microsoft.AspNetCore.Builder;
using OpenAI;
using OpenAI.Chat;

namespace Drover.Bench.Tests.Gateway;

/// <summary>The stub as a real client sees it: the official OpenAI .NET SDK, and the harness's own path client.</summary>
public sealed class UpstreamStubTests : IAsyncLifetime
{
    private readonly StubCounts _counts = new();
    private WebApplication _app = null!;
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        _app = UpstreamStub.Build(new StubOptions(TimeSpan.Zero, CompletionTokens: 45, ChunkTokens: 10), 0, _counts);
        await _app.StartAsync();
        _address = UpstreamStub.Address(_app);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private ChatClient Sdk(string key) =>
        new("bench-model", new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(_address, "/v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) });

    [Fact]
    public async Task A_streamed_answer_arrives_in_chunks_that_the_sdk_joins_with_the_usage_it_asked_for()
    {
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        var updates = 0;
        await foreach (var update in Sdk(ChatReply.Key("sdk")).CompleteChatStreamingAsync([new UserChatMessage("Tell me about foxes.")]))
        {
            updates++;
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            usage = update.Usage ?? usage;
        }

        Assert.Equal(ChatReply.Content(45), text.ToString());
        Assert.StartsWith(" the quick brown fox", text.ToString(), StringComparison.Ordinal);

        // A role chunk, five of content (45 tokens, 10 a chunk), the finish and the usage chunk.
        Assert.Equal(8, updates);
        Assert.NotNull(usage);
        Assert.Equal(45, usage.OutputTokenCount);
        Assert.True(usage.InputTokenCount > 0);
        Assert.Equal(usage.InputTokenCount + 45, usage.TotalTokenCount);

        var served = _counts.Snapshot().Served("sdk");
        Assert.Equal((1, 1, usage.InputTokenCount, 45L), (served.Requests, served.Streamed, served.PromptTokens, served.CompletionTokens));
    }

    [Fact]
    public async Task A_json_answer_carries_the_whole_completion_and_its_usage()
    {
        var completion = (await Sdk(ChatReply.Key("sdk")).CompleteChatAsync([new UserChatMessage("Tell me about foxes.")])).Value;

        Assert.Equal(ChatReply.Content(45), completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(45, completion.Usage.OutputTokenCount);
        Assert.Equal("bench-model", completion.Model);
    }

    [Fact]
    public async Task Requests_without_a_bench_key_or_to_another_path_are_refused_and_counted_apart()
    {
        await Assert.ThrowsAsync<ClientResultException>(() => Sdk("sk-someone-else").CompleteChatAsync([new UserChatMessage("hi")]));
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_address, "/v1/v1/chat/completions")) { Content = new StringContent("{}") };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + ChatReply.Key("portkey"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.SendAsync(request)).StatusCode);

        var stats = _counts.Snapshot();
        Assert.Equal(1, stats.Unkeyed);
        Assert.Equal(1, stats.Refused("portkey"));
        Assert.Equal(0, stats.Served("portkey").Requests);
    }

    [Fact]
    public async Task The_path_client_counts_only_whole_answers()
    {
        var path = new BenchPath(BenchPath.Direct, new Uri(_address, UpstreamStub.ChatPath), [new("Authorization", "Bearer " + ChatReply.Key("direct"))], "direct", null);
        using var client = new PathClient(path, 4);

        var json = await client.CallAsync(GatewayRun.Body(stream: false), stream: false, CancellationToken.None);
        var stream = await client.CallAsync(GatewayRun.Body(stream: true), stream: true, CancellationToken.None);
        Assert.True(json.Ok, json.Error);
        Assert.True(stream.Ok, stream.Error);
        Assert.InRange(stream.FirstByte, stream.Sent, stream.Finished);

        using var wrongKey = new PathClient(path with { Headers = [new("Authorization", "Bearer sk-wrong")] }, 4);
        var refused = await wrongKey.CallAsync(GatewayRun.Body(stream: false), stream: false, CancellationToken.None);
        Assert.Equal((401, "status 401"), (refused.Status, refused.Error));

        // A stream that stops short of [DONE] is not an answer.
        using var closed = new PathClient(path with { ChatUrl = new Uri(_address, "/stats") }, 4);
        Assert.False((await closed.CallAsync(GatewayRun.Body(stream: true), stream: true, CancellationToken.None)).Ok);
    }

    [Fact]
    public void The_stream_tail_keeps_the_last_bytes_across_reads()
    {
        var tail = new byte[8];
        var length = PathClient.KeepTail(tail, 0, "data: "u8);
        length = PathClient.KeepTail(tail, length, "[DO"u8);
        length = PathClient.KeepTail(tail, length, "NE]\n\n"u8);
        Assert.Equal("[DONE]\n\n", Encoding.ASCII.GetString(tail, 0, length));
        length = PathClient.KeepTail(tail, length, "0123456789"u8);
        Assert.Equal("23456789", Encoding.ASCII.GetString(tail, 0, length));
    }
}
