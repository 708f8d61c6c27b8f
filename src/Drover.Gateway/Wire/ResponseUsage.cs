using System.Text.Json;
using Drover.Gateway.Admission;

namespace Drover.Gateway.Wire;

/// <summary>
/// Follows one upstream response to learn its usage and model: from the JSON body, or from the stream's events as
/// they pass (the last usage seen wins, since some providers repeat it; Anthropic's counts are cumulative). Decides
/// which stream events the caller sees: only the usage chunk the gateway asked for on its behalf is held back.
/// </summary>
internal sealed class ResponseUsage(ApiSurface surface, bool hideUsageChunk)
{
    private AnthropicUsage _anthropic;

    public TokenCounts? Tokens { get; private set; }

    public string? ResponseModel { get; private set; }

    /// <summary>The stream carried an error event after it started.</summary>
    public bool StreamFailed { get; private set; }

    public void FromJsonBody(JsonElement? usage, string? model)
    {
        ResponseModel ??= model;
        if (usage is not { } u)
        {
            return;
        }

        if (surface == ApiSurface.Messages)
        {
            _anthropic = UsageReader.Anthropic(u, default);
            Tokens = _anthropic.Counts;
        }
        else
        {
            Tokens = UsageReader.OpenAI(u) ?? Tokens;
        }
    }

    /// <summary>Reads one event; returns whether the caller should receive it.</summary>
    public bool FromEvent(string? name, ReadOnlySpan<byte> data)
    {
        if (data.Length == 0 || data.SequenceEqual("[DONE]"u8))
        {
            return true;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(data.ToArray());
        }
        catch (JsonException)
        {
            return true;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return true;
            }

            return surface switch
            {
                ApiSurface.Messages => AnthropicEvent(name, root),
                ApiSurface.Responses => ResponsesEvent(name, root),
                _ => ChatChunk(root),
            };
        }
    }

    private bool ChatChunk(JsonElement root)
    {
        if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            StreamFailed = true;
            return true;
        }

        if (ResponseModel is null && root.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String)
        {
            ResponseModel = model.GetString();
        }

        var usage = root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object ? u
            : root.TryGetProperty("x_groq", out var groq) && groq.ValueKind == JsonValueKind.Object && groq.TryGetProperty("usage", out var gu) ? gu
            : default;
        if (UsageReader.OpenAI(usage) is { } tokens)
        {
            Tokens = tokens;

            // The chunk OpenAI adds for include_usage carries no choices; a provider that puts usage on a content chunk
            // keeps it there, and that chunk is always shown.
            if (hideUsageChunk && root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() == 0)
            {
                return false;
            }
        }

        return true;
    }

    private bool AnthropicEvent(string? name, JsonElement root)
    {
        var type = name ?? (root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null);
        switch (type)
        {
            case "message_start" when root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object:
                if (message.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String)
                {
                    ResponseModel ??= model.GetString();
                }

                if (message.TryGetProperty("usage", out var startUsage))
                {
                    _anthropic = UsageReader.Anthropic(startUsage, _anthropic);
                    Tokens = _anthropic.Counts;
                }

                break;
            case "message_delta" when root.TryGetProperty("usage", out var deltaUsage):
                _anthropic = UsageReader.Anthropic(deltaUsage, _anthropic);
                Tokens = _anthropic.Counts;
                break;
            case "error":
                StreamFailed = true;
                break;
        }

        return true;
    }

    private bool ResponsesEvent(string? name, JsonElement root)
    {
        var type = name ?? (root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null);
        if (type is "response.completed" or "response.incomplete" or "response.failed"
            && root.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.Object)
        {
            if (response.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String)
            {
                ResponseModel ??= model.GetString();
            }

            if (response.TryGetProperty("usage", out var usage))
            {
                Tokens = UsageReader.OpenAI(usage) ?? Tokens;
            }
        }

        if (type is "error" or "response.failed")
        {
            StreamFailed = true;
        }

        return true;
    }
}
