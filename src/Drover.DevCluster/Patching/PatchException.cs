namespace Drover.DevCluster.Patching;

/// <summary>
/// A patch or apply request that the API server would reject. Carries what the server needs to build
/// a <c>Status</c> body: the HTTP code, the reason and the per-field causes.
/// </summary>
public sealed class PatchException : Exception
{
    public PatchException()
        : this(500, "InternalError", "patch failed")
    {
    }

    public PatchException(string message)
        : this(500, "InternalError", message)
    {
    }

    public PatchException(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = 500;
        Reason = "InternalError";
        Causes = [];
    }

    public PatchException(int statusCode, string reason, string message, IReadOnlyList<(string Field, string Reason, string Message)>? causes = null)
        : base(message)
    {
        StatusCode = statusCode;
        Reason = reason;
        Causes = causes ?? [];
    }

    /// <summary>HTTP status code, e.g. 422, 400 or 409.</summary>
    public int StatusCode { get; }

    /// <summary>The Status <c>reason</c>, e.g. <c>Invalid</c>, <c>BadRequest</c>, <c>Conflict</c>.</summary>
    public string Reason { get; }

    public IReadOnlyList<(string Field, string Reason, string Message)> Causes { get; }

    internal static PatchException BadRequest(string message) => new(400, "BadRequest", message);

    internal static PatchException Invalid(string message) => new(422, "Invalid", message);
}
