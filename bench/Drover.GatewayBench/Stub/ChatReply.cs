using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Drover.GatewayBench.Stub;

/// <summary>
/// The stub's answers in OpenAI's Chat Completions wire format: one JSON body, or the SSE events of a stream (a role
/// chunk, the content in chunks, a finish chunk, the usage chunk when <c>stream_options.include_usage</c> asked for it,
/// then <c>[DONE]</c>). Always with usage, so every path is charged what the stub served.
/// </summary>
internal static class ChatReply
{
    public const string Id = "chatcmpl-bench";
    public const long Created = 1_764_633_600;

    private static readonly string[] Words = [" the", " quick", " brown", " fox", " jumps", " over", " a", " lazy", " dog", "."];

    /// <summary>What the stub says the prompt cost: a token per four bytes of the request body, as a tokenizer roughly would.</summary>
    public static long PromptTokens(int bodyBytes) => Math.Max(1, bodyBytes / 4);

    /// <summary>The completion text: <paramref name="tokens"/> words (a word is a token here).</summary>
    public static string Content(int tokens) => Content(0, tokens);

    public static byte[] Json(string model, long promptTokens, int completionTokens)
    {
        var buffer = new ArrayBufferWriter<byte>(1024 + (completionTokens * 8));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            Header(json, model, "chat.completion");
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", 0);
            json.WriteStartObject("message");
            json.WriteString("role", "assistant");
            json.WriteString("content", Content(completionTokens));
            json.WriteEndObject();
            json.WriteString("finish_reason", "stop");
            json.WriteEndObject();
            json.WriteEndArray();
            Usage(json, promptTokens, completionTokens);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The SSE events of a streamed answer, each <c>data: ...\n\n</c>, in the order they are sent.</summary>
    public static IReadOnlyList<byte[]> Stream(string model, long promptTokens, int completionTokens, int chunkTokens, bool includeUsage)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkTokens, 1);
        var events = new List<byte[]> { Event(Chunk(model, includeUsage, role: true, content: "", finish: null)) };
        for (var first = 0; first < completionTokens; first += chunkTokens)
        {
            events.Add(Event(Chunk(model, includeUsage, role: false, content: Content(first, Math.Min(chunkTokens, completionTokens - first)), finish: null)));
        }

        events.Add(Event(Chunk(model, includeUsage, role: false, content: null, finish: "stop")));
        if (includeUsage)
        {
            var buffer = new ArrayBufferWriter<byte>(512);
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                Header(json, model, "chat.completion.chunk");
                json.WriteStartArray("choices");
                json.WriteEndArray();
                Usage(json, promptTokens, completionTokens);
                json.WriteEndObject();
            }

            events.Add(Event(buffer.WrittenSpan.ToArray()));
        }

        events.Add("data: [DONE]\n\n"u8.ToArray());
        return events;
    }

    private static string Content(int first, int count)
    {
        var text = new StringBuilder(count * 7);
        for (var i = first; i < first + count; i++)
        {
            text.Append(Words[i % Words.Length]);
        }

        return text.ToString();
    }

    private static byte[] Chunk(string model, bool includeUsage, bool role, string? content, string? finish)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            Header(json, model, "chat.completion.chunk");
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", 0);
            json.WriteStartObject("delta");
            if (role)
            {
                json.WriteString("role", "assistant");
            }

            if (content is not null)
            {
                json.WriteString("content", content);
            }

            json.WriteEndObject();
            if (finish is null)
            {
                json.WriteNull("finish_reason");
            }
            else
            {
                json.WriteString("finish_reason", finish);
            }

            json.WriteEndObject();
            json.WriteEndArray();

            // OpenAI puts "usage": null on every chunk but the last when the caller asked for usage.
            if (includeUsage)
            {
                json.WriteNull("usage");
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Header(Utf8JsonWriter json, string model, string kind)
    {
        json.WriteString("id", Id);
        json.WriteString("object", kind);
        json.WriteNumber("created", Created);
        json.WriteString("model", model);
    }

    private static void Usage(Utf8JsonWriter json, long promptTokens, int completionTokens)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", promptTokens);
        json.WriteNumber("completion_tokens", completionTokens);
        json.WriteNumber("total_tokens", promptTokens + completionTokens);
        json.WriteEndObject();
    }

    private static byte[] Event(byte[] data)
    {
        var bytes = new byte[data.Length + 8];
        "data: "u8.CopyTo(bytes);
        data.CopyTo(bytes, 6);
        bytes[^2] = (byte)'\n';
        bytes[^1] = (byte)'\n';
        return bytes;
    }

    /// <summary>The model, streaming and usage flags of a request body; null when it is not a JSON object naming a model.</summary>
    public static (string Model, bool Stream, bool IncludeUsage)? ParseRequest(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            string? model = null;
            bool stream = false, includeUsage = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    model = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("stream"u8))
                {
                    reader.Read();
                    stream = reader.TokenType == JsonTokenType.True;
                }
                else if (reader.ValueTextEquals("stream_options"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }

                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var isUsage = reader.ValueTextEquals("include_usage"u8);
                        reader.Read();
                        if (isUsage)
                        {
                            includeUsage = reader.TokenType == JsonTokenType.True;
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return string.IsNullOrEmpty(model) ? null : (model, stream, includeUsage);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The stub key label of an <c>Authorization</c> value: <c>Bearer sk-bench-LABEL</c>, LABEL 1-32 of a-z, 0-9 and -.</summary>
    public static string? KeyLabel(string? authorization)
    {
        const string Prefix = "Bearer sk-bench-";
        if (authorization is null || !authorization.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var label = authorization[Prefix.Length..];
        return label.Length is >= 1 and <= 32 && label.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') ? label : null;
    }

    /// <summary>The key a path sends (or a provider's Secret holds) so the stub counts its requests under <paramref name="label"/>.</summary>
    public static string Key(string label) => "sk-bench-" + label;
}
