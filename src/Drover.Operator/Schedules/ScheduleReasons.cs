namespace Drover.Operator.Schedules;

/// <summary>The reasons of a Schedule's Ready condition.</summary>
internal static class ScheduleReasons
{
    /// <summary>The CronJob is in place and will run.</summary>
    public const string Scheduled = "Scheduled";

    /// <summary>The CronJob is in place but suspended.</summary>
    public const string Suspended = "Suspended";

    /// <summary>A run (a Job of the CronJob) is still going past its deadline; the message names it.</summary>
    public const string RunStuck = "RunStuck";

    /// <summary>agentRef names an Agent that does not exist.</summary>
    public const string AgentNotFound = "AgentNotFound";

    /// <summary>The Agent has no runOnce command or args, so it cannot answer one prompt and exit.</summary>
    public const string AgentHasNoRunOnce = "AgentHasNoRunOnce";

    /// <summary>The Agent exists but cannot resolve (its reason is in the message).</summary>
    public const string AgentNotReady = "AgentNotReady";

    /// <summary>The cron expression, time zone or another field is invalid.</summary>
    public const string InvalidSchedule = "InvalidSchedule";
}
