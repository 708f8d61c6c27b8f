using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Drover.Gateway.Wire;

/// <summary>A refusal or failure the gateway answers itself, in the error shape the caller's SDK parses.</summary>
internal sealed record GatewayError(int Status, string Message, string OpenAIType, string? OpenAICode, string AnthropicType)
{
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Tells SDKs that honour it (x-should-retry) not to retry, for refusals that retrying cannot change.</summary>
    public bool DoNotRetry { get; init; }

    public static GatewayError Unauthorized(string message) =>
        new(StatusCodes.Status401Unauthorized, message, "invalid_request_error", "invalid_api_key", "authentication_error") { DoNotRetry = true };

    public static GatewayError Forbidden(string message) =>
        new(StatusCodes.Status403Forbidden, message, "invalid_request_error", "model_not_allowed", "permission_error") { DoNotRetry = true };

    public static GatewayError BadRequest(string message, string? code = null) =>
        new(StatusCodes.Status400BadRequest, message, "invalid_request_error", code, "invalid_request_error") { DoNotRetry = true };

    public static GatewayError TooLarge(string message) =>
        new(StatusCodes.Status413PayloadTooLarge, message, "invalid_request_error", "request_too_large", "request_too_large") { DoNotRetry = true };

    public static GatewayError BudgetExhausted(string message, TimeSpan retryAfter) =>
        new(StatusCodes.Status429TooManyRequests, message, "insufficient_quota", "budget_exhausted", "rate_limit_error") { RetryAfter = retryAfter, DoNotRetry = true };

    public static GatewayError RateLimited(string message, TimeSpan? retryAfter) =>
        new(StatusCodes.Status429TooManyRequests, message, "rate_limit_exceeded", "rate_limit_exceeded", "rate_limit_error") { RetryAfter = retryAfter };

    public static GatewayError Unavailable(string message) =>
        new(StatusCodes.Status503ServiceUnavailable, message, "service_unavailable", "no_usable_provider", "api_error");

    public static GatewayError BadGateway(string message) =>
        new(StatusCodes.Status502BadGateway, message, "upstream_error", "upstream_failed", "api_error");

    public static GatewayError Timeout(string message) =>
        new(StatusCodes.Status504GatewayTimeout, message, "upstream_error", "upstream_timeout", "api_error");

    /// <summary>Writes the error: OpenAI's <c>{"error":{message,type,param,code}}</c> or Anthropic's <c>{"type":"error","error":{type,message}}</c>.</summary>
    public async Task WriteAsync(HttpContext context, bool anthropicShape, string requestId)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        response.StatusCode = Status;
        response.ContentType = "application/json";
        if (RetryAfter is { } retryAfter)
        {
            response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (DoNotRetry)
        {
            response.Headers["x-should-retry"] = "false";
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (anthropicShape)
            {
                writer.WriteString("type", "error");
                writer.WriteStartObject("error");
                writer.WriteString("type", AnthropicType);
                writer.WriteString("message", Message);
                writer.WriteEndObject();
                writer.WriteString("request_id", requestId);
            }
            else
            {
                writer.WriteStartObject("error");
                writer.WriteString("message", Message);
                writer.WriteString("type", OpenAIType);
                writer.WriteNull("param");
                if (OpenAICode is null)
                {
                    writer.WriteNull("code");
                }
                else
                {
                    writer.WriteString("code", OpenAICode);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }
}
