using Drover.Api.Scheduling;
using Drover.Api.V1Alpha1;

namespace Drover.Gateway.Admission;

/// <summary>Budget days: from midnight to midnight in the budget's time zone, whatever daylight saving does.</summary>
internal static class BudgetDays
{
    /// <summary>The window of <paramref name="bucket"/> that contains <paramref name="now"/>, with the budget's limits.</summary>
    public static BudgetWindow Window(BucketKey bucket, Budget? budget, DateTimeOffset now)
    {
        var zone = TimeZones.TryFind(budget?.TimeZone, out var found, out _) ? found : TimeZoneInfo.Utc;
        var (start, end) = Day(zone, now);
        return new BudgetWindow(bucket, start, end, budget?.TokensPerDay, budget?.CostPerDay);
    }

    /// <summary>The start and end (as instants) of the local day in <paramref name="zone"/> that contains <paramref name="now"/>.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Day(TimeZoneInfo zone, DateTimeOffset now)
    {
        var localDate = TimeZoneInfo.ConvertTime(now, zone).Date;
        return (Midnight(zone, localDate), Midnight(zone, localDate.AddDays(1)));
    }

    private static DateTimeOffset Midnight(TimeZoneInfo zone, DateTime date)
    {
        var local = DateTime.SpecifyKind(date, DateTimeKind.Unspecified);

        // Where clocks jump forward at midnight the day starts at the first minute that exists.
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        // Where they fall back over midnight, the day starts at the first of the two midnights.
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }
}
