using Microsoft.Extensions.Logging;

namespace Drover.Operator.Observability;

/// <summary>The operator's log lines, source-generated so a busy reconcile loop does not allocate to log.</summary>
internal static partial class OperatorLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "ModelProvider {Namespace}/{Name} is not ready ({Reason}): {Detail}")]
    public static partial void ProviderNotReady(ILogger logger, string? @namespace, string name, string reason, string detail);

    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Agent {Namespace}/{Name} is not ready ({Reason}): {Detail}")]
    public static partial void AgentNotReady(ILogger logger, string? @namespace, string name, string reason, string detail);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "{Namespace}/{Name}: applied {Kind} {ChildName}")]
    public static partial void ChildApplied(ILogger logger, string? @namespace, string name, string kind, string childName);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "{Namespace}/{Name}: {Kind} {ChildName} exists and is not ours ({Holder}); left untouched")]
    public static partial void ChildNameConflict(ILogger logger, string? @namespace, string name, string kind, string childName, string holder);

    [LoggerMessage(EventId = 206, Level = LogLevel.Warning, Message = "{Namespace}/{Name}: the API server refused {Kind} {ChildName}: {Detail}")]
    public static partial void ChildRefused(ILogger logger, string? @namespace, string name, string kind, string childName, string detail);

    [LoggerMessage(EventId = 207, Level = LogLevel.Warning, Message = "Agent {Namespace}/{Name}: scaled to zero, no provider of its chain is usable")]
    public static partial void ScaledToZero(ILogger logger, string? @namespace, string name);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Agent {Namespace}/{Name}: removed {Count} {Kind} no longer wanted")]
    public static partial void ChildrenPruned(ILogger logger, string? @namespace, string name, int count, string kind);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "Agent {Namespace}/{Name}: configuration changed to {Hash}, waiting for a rollout slot ({InProgress} of {Limit} rolling)")]
    public static partial void RolloutWaiting(ILogger logger, string? @namespace, string name, string hash, int inProgress, int limit);

    [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "Agent {Namespace}/{Name}: rolling to configuration {Hash}")]
    public static partial void RolloutStarted(ILogger logger, string? @namespace, string name, string hash);

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Schedule {Namespace}/{Name} is not ready ({Reason}): {Detail}")]
    public static partial void ScheduleNotReady(ILogger logger, string? @namespace, string name, string reason, string detail);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Schedule {Namespace}/{Name}: CronJob suspended until the schedule can run again ({Reason})")]
    public static partial void CronJobSuspended(ILogger logger, string? @namespace, string name, string reason);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Drover {Version} starting: namespaces {Namespaces}, {Workers} workers, leader election {LeaderElection}, metrics {Metrics}, health {Health}")]
    public static partial void Starting(ILogger logger, string version, string namespaces, int workers, bool leaderElection, string metrics, string health);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Every Agent and Schedule is Ready ({Agents} agents, {Schedules} schedules)")]
    public static partial void Converged(ILogger logger, int agents, int schedules);
}
