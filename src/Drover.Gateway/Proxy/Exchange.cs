using Drover.Gateway.Admission;
using Drover.Gateway.Configuration;
using Drover.Gateway.Wire;
using Microsoft.AspNetCore.Http;

namespace Drover.Gateway.Proxy;

/// <summary>One request through the gateway: what the log line, the metrics and the GenAI conventions report about it.</summary>
internal sealed class Exchange(HttpContext context, ApiSurface surface, long started)
{
    public HttpContext Context { get; } = context;

    public ApiSurface Surface { get; } = surface;

    public long Started { get; } = started;

    public string RequestId { get; } = "req_" + Guid.NewGuid().ToString("N");

    public Caller? Caller { get; set; }

    public string? RequestModel { get; set; }

    public string? Provider { get; set; }

    public string? ProviderType { get; set; }

    public string? Model { get; set; }

    public string? ResponseModel { get; set; }

    public TokenCounts Tokens { get; set; }

    public decimal Cost { get; set; }

    public int Fallbacks { get; set; }

    /// <summary>reported (the provider's counts), reserved (none arrived: the reservation was charged) or none.</summary>
    public string UsageSource { get; set; } = "none";

    public string? ErrorType { get; set; }

    public int? Status { get; set; }

    public bool AnthropicShape => Surface.AnthropicErrors();
}
