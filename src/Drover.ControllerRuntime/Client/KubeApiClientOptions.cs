namespace Drover.ControllerRuntime.Client;

/// <summary>How long <see cref="KubeApiClient"/> waits for the API server.</summary>
public sealed record KubeApiClientOptions
{
    /// <summary>
    /// Every request except a watch must be answered completely (headers and body) within this, or it fails with a
    /// timeout <see cref="KubeApiException"/>. A watch must send its response headers within it, and is cut when the
    /// server has not ended it this long after the <c>timeoutSeconds</c> it was asked for. The default matches
    /// kubectl's habit of bounding every call; <see cref="Timeout.InfiniteTimeSpan"/> turns it off.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
