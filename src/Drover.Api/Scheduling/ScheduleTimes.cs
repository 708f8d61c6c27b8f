namespace Drover.Api.Scheduling;

/// <summary>When a cron schedule fires, read in its time zone (daylight-saving aware).</summary>
public static class ScheduleTimes
{
    /// <summary>
    /// The first time strictly after <paramref name="after"/> at which <paramref name="cron"/> fires in
    /// <paramref name="timeZone"/> (null or empty: UTC), or null if it never fires again.
    /// </summary>
    /// <exception cref="ArgumentException">The schedule or the time zone is invalid; validate the Schedule first.</exception>
    public static DateTimeOffset? Next(string cron, string? timeZone, DateTimeOffset after)
    {
        if (!CronSchedules.TryParse(cron, out var expression, out var cronError))
        {
            throw new ArgumentException(cronError, nameof(cron));
        }

        if (!TimeZones.TryFind(timeZone, out var zone, out var zoneError))
        {
            throw new ArgumentException(zoneError, nameof(timeZone));
        }

        return expression!.GetNextOccurrence(after, zone);
    }
}
