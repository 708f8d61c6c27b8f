using Microsoft.Extensions.Logging;

namespace Drover.ControllerRuntime.Informers;

internal static partial class InformerLog
{
    [LoggerMessage(1, LogLevel.Debug, "Listed {Resource} in '{Namespace}': {Count} objects at resourceVersion {ResourceVersion}")]
    public static partial void Listed(ILogger logger, string resource, string @namespace, int count, string? resourceVersion);

    [LoggerMessage(2, LogLevel.Information, "Watch of {Resource} in '{Namespace}' expired at resourceVersion {ResourceVersion}; relisting")]
    public static partial void Expired(ILogger logger, string resource, string @namespace, string? resourceVersion);

    [LoggerMessage(3, LogLevel.Warning, "Watch of {Resource} in '{Namespace}' failed; retrying in {Delay}")]
    public static partial void WatchFailed(ILogger logger, Exception exception, string resource, string @namespace, TimeSpan delay);

    [LoggerMessage(4, LogLevel.Warning, "Watch of {Resource} in '{Namespace}' was silent for {Timeout}; restarting it")]
    public static partial void WatchSilent(ILogger logger, string resource, string @namespace, TimeSpan timeout);

    [LoggerMessage(5, LogLevel.Error, "An event handler of {Resource} threw")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string resource);

    [LoggerMessage(6, LogLevel.Warning, "Skipped {Resource} {Object} at resourceVersion {ResourceVersion}: it cannot be read ({Error}); {CacheState}")]
    public static partial void Undecodable(ILogger logger, string resource, string @object, string? resourceVersion, string error, string cacheState);
}
