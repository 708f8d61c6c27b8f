using System.Net;

namespace Drover.ControllerRuntime.Client;

/// <summary>A non-success answer from the API server, carrying the <c>Status</c> reason when the server sent one.</summary>
public sealed class KubeApiException : Exception
{
    public KubeApiException()
    {
    }

    public KubeApiException(string message)
        : base(message)
    {
    }

    public KubeApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public KubeApiException(HttpStatusCode statusCode, string? reason, string message)
        : base(message)
    {
        StatusCode = statusCode;
        Reason = reason;
    }

    public HttpStatusCode StatusCode { get; }

    /// <summary>The machine-readable reason from the Status body, e.g. <c>NotFound</c>, <c>Conflict</c>, <c>Expired</c>.</summary>
    public string? Reason { get; }

    public bool IsNotFound => StatusCode == HttpStatusCode.NotFound;

    public bool IsConflict => StatusCode == HttpStatusCode.Conflict;

    /// <summary>The API server did not answer within the client's deadline (no status code was received).</summary>
    public bool IsTimeout => InnerException is TimeoutException;

    /// <summary>The resourceVersion asked for is older than the server keeps (HTTP 410 or reason Expired/Gone): relist.</summary>
    public bool IsExpired => StatusCode == HttpStatusCode.Gone || Reason is "Expired" or "Gone";
}
