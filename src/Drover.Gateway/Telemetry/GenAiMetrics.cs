using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Drover.Gateway.Telemetry;

/// <summary>
/// The OpenTelemetry GenAI semantic conventions' client metrics (v1.41): token usage and operation duration, with the
/// provider, models and the agent; the schedule and namespace ride along as extra attributes.
/// </summary>
internal static class GenAiMetrics
{
    public const string MeterName = "Drover.Gateway";

    private static readonly Meter Meter = new(MeterName, typeof(GenAiMetrics).Assembly.GetName().Version?.ToString());

    private static readonly Histogram<long> TokenUsage = Meter.CreateHistogram<long>(
        "gen_ai.client.token.usage",
        unit: "{token}",
        description: "Number of input and output tokens used.",
        tags: null,
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864] });

    private static readonly Histogram<double> OperationDuration = Meter.CreateHistogram<double>(
        "gen_ai.client.operation.duration",
        unit: "s",
        description: "GenAI operation duration.",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] });

    /// <summary>Records one finished operation.</summary>
    public static void Record(GenAiOperation operation)
    {
        var tags = new TagList
        {
            { "gen_ai.operation.name", operation.OperationName },
            { "gen_ai.provider.name", operation.ProviderName },
            { "gen_ai.request.model", operation.RequestModel },
            { "gen_ai.agent.name", operation.Agent },
            { "k8s.namespace.name", operation.Namespace },
        };
        if (operation.Schedule is not null)
        {
            tags.Add("drover.schedule", operation.Schedule);
        }

        if (operation.ResponseModel is not null)
        {
            tags.Add("gen_ai.response.model", operation.ResponseModel);
        }

        if (operation.ErrorType is not null)
        {
            tags.Add("error.type", operation.ErrorType);
        }

        OperationDuration.Record(operation.Duration.TotalSeconds, tags);
        if (operation.InputTokens is { } input)
        {
            var inputTags = tags;
            inputTags.Add("gen_ai.token.type", "input");
            TokenUsage.Record(input, inputTags);
        }

        if (operation.OutputTokens is { } output)
        {
            var outputTags = tags;
            outputTags.Add("gen_ai.token.type", "output");
            TokenUsage.Record(output, outputTags);
        }
    }

    /// <summary>The <c>gen_ai.provider.name</c> of a provider type: the convention's well-known values where one exists.</summary>
    public static string ProviderName(string? providerType) => providerType switch
    {
        "OpenAI" => "openai",
        "Anthropic" => "anthropic",
        "Gemini" => "gcp.gemini",
        "Groq" => "groq",
        "DeepSeek" => "deepseek",
        "Mistral" => "mistral_ai",
        "OpenRouter" => "openrouter",
        "Ollama" => "ollama",
        null => "_OTHER",
        _ => "openai_compatible",
    };
}

/// <summary>One GenAI operation as the conventions describe it.</summary>
internal sealed record GenAiOperation(
    string OperationName,
    string ProviderName,
    string RequestModel,
    string? ResponseModel,
    string Namespace,
    string Agent,
    string? Schedule,
    TimeSpan Duration,
    long? InputTokens,
    long? OutputTokens,
    string? ErrorType);
