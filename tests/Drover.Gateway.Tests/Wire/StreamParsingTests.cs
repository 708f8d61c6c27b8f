using System.Text;
using System.Text.Json;
using Drover.Gateway.Admission;
using Drover.Gateway.Wire;

namespace Drover.Gateway.Tests.Wire;

public class StreamParsingTests
{
    [Fact]
    public void The_json_scanner_finds_usage_and_model_whatever_the_chunk_boundaries()
    {
        var body = Encoding.UTF8.GetBytes(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "openai", "chat-basic.json")).Replace("{model}", "gpt-4o-mini", StringComparison.Ordinal));
        foreach (var size in new[] { 1, 2, 3, 7, 64, body.Length })
        {
            var scanner = new JsonBodyScanner();
            for (var offset = 0; offset < body.Length; offset += size)
            {
                scanner.Feed(body.AsSpan(offset, Math.Min(size, body.Length - offset)), final: false);
            }

            scanner.Feed([], final: true);
            Assert.Equal("gpt-4o-mini", scanner.Model);
            Assert.Equal(new TokenCounts(8, 377, 0, 320), UsageReader.OpenAI(scanner.Usage!.Value));
        }
    }

    [Fact]
    public void The_json_scanner_ignores_nested_usage_and_survives_a_body_that_is_not_json()
    {
        var scanner = new JsonBodyScanner();
        scanner.Feed("""{"data":[{"usage":{"prompt_tokens":99}}],"model":"m","usage":{"prompt_tokens":7,"total_tokens":7}}"""u8, final: true);
        Assert.Equal(7, UsageReader.OpenAI(scanner.Usage!.Value)!.Value.Input);

        var broken = new JsonBodyScanner();
        broken.Feed("<html>Bad gateway</html>"u8, final: true);
        Assert.Null(broken.Usage);
    }

    [Fact]
    public void The_sse_splitter_keeps_events_whole_across_reads_with_lf_or_crlf()
    {
        var splitter = new SseEventSplitter();
        var events = new List<string>();
        foreach (var part in new[] { "event: message_start\r\ndata: {\"a\":", "1}\r\n\r", "\ndata: [DONE]\n", "\n" })
        {
            splitter.Append(Encoding.UTF8.GetBytes(part));
            while (splitter.TryNext(out var raw))
            {
                events.Add(Encoding.UTF8.GetString(raw.Span));
            }
        }

        Assert.Equal(["event: message_start\r\ndata: {\"a\":1}\r\n\r\n", "data: [DONE]\n\n"], events);
        var (name, data) = SseEventSplitter.Fields(Encoding.UTF8.GetBytes(events[0]));
        Assert.Equal(("message_start", "{\"a\":1}"), (name, Encoding.UTF8.GetString(data)));
    }

    [Fact]
    public void Only_the_usage_chunk_the_gateway_asked_for_is_hidden()
    {
        var hiding = new ResponseUsage(ApiSurface.ChatCompletions, hideUsageChunk: true);
        Assert.True(hiding.FromEvent(null, """{"choices":[{"index":0,"delta":{"content":"hi"}}],"usage":null}"""u8));
        Assert.False(hiding.FromEvent(null, """{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}"""u8));
        Assert.True(hiding.FromEvent(null, "[DONE]"u8));
        Assert.Equal(new TokenCounts(3, 2, 0, 0), hiding.Tokens);

        // DeepSeek puts usage on the finish chunk, which has content: it is always shown, and its cache hits count as cached.
        var deepseek = new ResponseUsage(ApiSurface.ChatCompletions, hideUsageChunk: true);
        Assert.True(deepseek.FromEvent(null, """{"model":"deepseek-chat","choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":11,"total_tokens":20,"prompt_cache_hit_tokens":4,"prompt_cache_miss_tokens":5}}"""u8));
        Assert.Equal(new TokenCounts(9, 11, 4, 0), deepseek.Tokens);
        Assert.Equal("deepseek-chat", deepseek.ResponseModel);

        var groq = new ResponseUsage(ApiSurface.ChatCompletions, hideUsageChunk: false);
        groq.FromEvent(null, """{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"x_groq":{"usage":{"prompt_tokens":5,"completion_tokens":6,"total_tokens":11}}}"""u8);
        Assert.Equal(new TokenCounts(5, 6, 0, 0), groq.Tokens);
    }

    [Fact]
    public void Anthropic_stream_counts_are_cumulative_and_a_later_event_overwrites_only_what_it_carries()
    {
        var usage = new ResponseUsage(ApiSurface.Messages, hideUsageChunk: false);
        usage.FromEvent("message_start", """{"type":"message_start","message":{"model":"claude","usage":{"input_tokens":11,"output_tokens":1,"cache_read_input_tokens":30,"cache_creation_input_tokens":2}}}"""u8);
        usage.FromEvent("message_delta", """{"type":"message_delta","usage":{"output_tokens":6}}"""u8);
        usage.FromEvent("message_delta", """{"type":"message_delta","usage":{"output_tokens":9}}"""u8);

        Assert.Equal(new TokenCounts(43, 9, 30, 0), usage.Tokens);
        Assert.False(usage.StreamFailed);
        usage.FromEvent("error", """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"""u8);
        Assert.True(usage.StreamFailed);
    }

    [Fact]
    public void Responses_usage_comes_from_the_completed_event_with_cached_and_reasoning_detail()
    {
        var usage = new ResponseUsage(ApiSurface.Responses, hideUsageChunk: false);
        usage.FromEvent("response.created", """{"type":"response.created","response":{"usage":null}}"""u8);
        usage.FromEvent("response.completed", """{"type":"response.completed","response":{"model":"gpt-4.1","usage":{"input_tokens":328,"input_tokens_details":{"cached_tokens":128},"output_tokens":52,"output_tokens_details":{"reasoning_tokens":10},"total_tokens":380}}}"""u8);

        Assert.Equal(new TokenCounts(328, 52, 128, 10), usage.Tokens);
    }

    [Fact]
    public void The_rewrite_changes_the_model_and_asks_for_usage_keeping_everything_else()
    {
        var body = """{"model":"gpt-4o","stream":true,"stream_options":{"include_obfuscation":false,"include_usage":false},"messages":[{"role":"user","content":"hi"}],"n":2,"max_completion_tokens":50}"""u8.ToArray();
        using var request = ModelRequest.Parse(body, ApiSurface.ChatCompletions, out _)!;

        Assert.Equal(("gpt-4o", true, false, 100L), (request.Model, request.Stream, request.IncludeUsage, request.MaxOutputTokens));
        using var rewritten = JsonDocument.Parse(request.Rewrite("gpt-4o-mini", askForUsage: true));
        var root = rewritten.RootElement;
        Assert.Equal("gpt-4o-mini", root.GetProperty("model").GetString());
        Assert.True(root.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.False(root.GetProperty("stream_options").GetProperty("include_obfuscation").GetBoolean());
        Assert.Equal("hi", root.GetProperty("messages")[0].GetProperty("content").GetString());
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1,2]", "JSON object")]
    [InlineData("{\"messages\":[]}", "names no model")]
    public void A_body_without_a_usable_model_is_refused_with_a_reason(string body, string reason)
    {
        Assert.Null(ModelRequest.Parse(Encoding.UTF8.GetBytes(body), ApiSurface.ChatCompletions, out var problem));
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }
}
