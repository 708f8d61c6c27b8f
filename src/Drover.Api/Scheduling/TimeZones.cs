namespace Drover.Api.Scheduling;

/// <summary>
/// Resolves the IANA time zone names a CronJob accepts. With invariant globalization .NET still reads the
/// system tz database (TZDIR or /usr/share/zoneinfo), so lookups work as long as the image ships tzdata;
/// when it does not, the error says so instead of blaming the user's zone name.
/// </summary>
public static class TimeZones
{
    /// <summary>Finds <paramref name="id"/>; null or empty means UTC.</summary>
    public static bool TryFind(string? id, out TimeZoneInfo zone, out string? error) =>
        TryFind(id, DatabaseDirectory(), out zone, out error);

    internal static bool TryFind(string? id, string databaseDirectory, out TimeZoneInfo zone, out string? error)
    {
        zone = TimeZoneInfo.Utc;
        error = null;
        if (string.IsNullOrEmpty(id))
        {
            return true;
        }

        if (id == "Local")
        {
            error = "\"Local\" depends on the node's clock settings; name an IANA zone such as Europe/Berlin or UTC.";
            return false;
        }

        if (id == "UTC")
        {
            return true;
        }

        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            error = Directory.Exists(databaseDirectory)
                ? $"\"{id}\" is not a known IANA time zone; use a name such as Europe/Berlin, America/New_York or UTC."
                : $"\"{id}\" cannot be checked: no time zone database at {databaseDirectory} (install tzdata or set TZDIR).";
            return false;
        }
    }

    private static string DatabaseDirectory() =>
        Environment.GetEnvironmentVariable("TZDIR") is { Length: > 0 } dir ? dir : "/usr/share/zoneinfo";
}
