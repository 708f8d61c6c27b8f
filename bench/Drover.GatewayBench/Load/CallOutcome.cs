namespace Drover.GatewayBench.Load;

/// <summary>One request as the load generator saw it: timestamps (Stopwatch ticks) and how it ended.</summary>
/// <param name="Sent">When it was handed to the HTTP client.</param>
/// <param name="FirstByte">When the first byte of the body arrived (0 when none did).</param>
/// <param name="Finished">When the body was read to its end, or the request failed.</param>
/// <param name="Status">The HTTP status; 0 when there was no response.</param>
/// <param name="Error">Why it does not count as an answer (null when it does): a status, "incomplete body", an exception.</param>
internal readonly record struct CallOutcome(long Sent, long FirstByte, long Finished, int Status, string? Error)
{
    public bool Ok => Error is null;
}
