using System.Buffers;
using System.Text.Json;

namespace Drover.Gateway.Wire;

/// <summary>
/// The parts of a request body the gateway decides with (model, streaming, output cap), and the rewrite it sends
/// upstream: the same JSON with the model of the chosen link and, for OpenAI-style streams, usage asked for.
/// Everything else passes through as the caller wrote it.
/// </summary>
internal sealed class ModelRequest : IDisposable
{
    private readonly JsonDocument _document;

    private ModelRequest(JsonDocument document, int bodyLength)
    {
        _document = document;
        BodyLength = bodyLength;
    }

    public string Model { get; private init; } = "";

    public bool Stream { get; private init; }

    /// <summary>The caller's own <c>stream_options.include_usage</c>; null when absent.</summary>
    public bool? IncludeUsage { get; private init; }

    /// <summary>The caller's output cap (max_completion_tokens, max_tokens or max_output_tokens), times n choices.</summary>
    public long? MaxOutputTokens { get; private init; }

    public int BodyLength { get; }

    /// <summary>Parses a body; returns null with a message the caller can act on when it is not a usable request.</summary>
    public static ModelRequest? Parse(ReadOnlyMemory<byte> body, ApiSurface surface, out string? problem)
    {
        problem = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 128 });
        }
        catch (JsonException e)
        {
            problem = $"The request body is not valid JSON: {e.Message}";
            return null;
        }

        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            problem = "The request body must be a JSON object.";
            return null;
        }

        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(model.GetString()))
        {
            document.Dispose();
            problem = "The request names no model: set \"model\" to one of the models your agent may use (GET /v1/models lists them).";
            return null;
        }

        var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        bool? includeUsage = root.TryGetProperty("stream_options", out var options) && options.ValueKind == JsonValueKind.Object
            && options.TryGetProperty("include_usage", out var include) && include.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? include.GetBoolean()
            : null;
        var cap = Integer(root, "max_completion_tokens") ?? Integer(root, "max_tokens") ?? Integer(root, "max_output_tokens");
        var choices = surface == ApiSurface.ChatCompletions ? Math.Clamp(Integer(root, "n") ?? 1, 1, 128) : 1;
        return new ModelRequest(document, body.Length)
        {
            Model = model.GetString()!,
            Stream = stream,
            IncludeUsage = includeUsage,
            MaxOutputTokens = cap is { } c ? Math.Max(0, c) * choices : null,
        };
    }

    /// <summary>The body to send upstream: <paramref name="model"/> in place of the caller's, and include_usage set when asked.</summary>
    public byte[] Rewrite(string model, bool askForUsage)
    {
        var buffer = new ArrayBufferWriter<byte>(BodyLength + 64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            var wroteOptions = false;
            foreach (var property in _document.RootElement.EnumerateObject())
            {
                if (property.NameEquals("model"))
                {
                    writer.WriteString("model", model);
                }
                else if (askForUsage && property.NameEquals("stream_options") && property.Value.ValueKind == JsonValueKind.Object)
                {
                    writer.WriteStartObject("stream_options");
                    foreach (var option in property.Value.EnumerateObject())
                    {
                        if (!option.NameEquals("include_usage"))
                        {
                            option.WriteTo(writer);
                        }
                    }

                    writer.WriteBoolean("include_usage", true);
                    writer.WriteEndObject();
                    wroteOptions = true;
                }
                else if (!(askForUsage && property.NameEquals("stream_options")))
                {
                    property.WriteTo(writer);
                }
            }

            if (askForUsage && !wroteOptions)
            {
                writer.WriteStartObject("stream_options");
                writer.WriteBoolean("include_usage", true);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public void Dispose() => _document.Dispose();

    private static long? Integer(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;
}
