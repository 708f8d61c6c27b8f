using Microsoft.Extensions.Logging;

namespace Drover.DevCluster.Http;

/// <summary>The request log, for seeing exactly what a real client sends.</summary>
internal static partial class RequestLogging
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} -> {Status}")]
    public static partial void Served(ILogger logger, string method, string path, int status);
}
