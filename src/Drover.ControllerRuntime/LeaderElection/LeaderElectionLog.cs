using Microsoft.Extensions.Logging;

namespace Drover.ControllerRuntime.LeaderElection;

internal static partial class LeaderElectionLog
{
    [LoggerMessage(1, LogLevel.Information, "{Identity} acquired lease {Lease}")]
    public static partial void Acquired(ILogger logger, string identity, string lease);

    [LoggerMessage(2, LogLevel.Warning, "{Identity} lost lease {Lease}: not renewed within {Deadline}")]
    public static partial void Lost(ILogger logger, string identity, string lease, TimeSpan deadline);

    [LoggerMessage(3, LogLevel.Information, "{Identity} released lease {Lease}")]
    public static partial void Released(ILogger logger, string identity, string lease);

    [LoggerMessage(4, LogLevel.Debug, "{Identity} could not acquire or renew lease {Lease}")]
    public static partial void AttemptFailed(ILogger logger, Exception exception, string identity, string lease);

    [LoggerMessage(5, LogLevel.Error, "The work done while leading lease {Lease} failed")]
    public static partial void LeadingFailed(ILogger logger, Exception exception, string lease);
}
