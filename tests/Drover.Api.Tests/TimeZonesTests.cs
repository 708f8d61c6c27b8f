using System.Globalization;
using Drover.Api.Scheduling;

namespace Drover.Api.Tests;

public class TimeZonesTests
{
    [Fact]
    public void Globalization_is_invariant_in_this_build()
    {
        // The checks below matter because of this: the operator, and these tests, run without ICU.
        Assert.Equal(CultureInfo.InvariantCulture.Name, CultureInfo.CurrentCulture.Name);
        Assert.Throws<CultureNotFoundException>(() => CultureInfo.GetCultureInfo("de-DE", predefinedOnly: true));
    }

    [Fact]
    public void Iana_zones_resolve_from_tzdata_without_icu()
    {
        Assert.True(TimeZones.TryFind("Europe/Berlin", out var berlin, out var error), error);
        Assert.Equal(TimeSpan.FromHours(2), berlin.GetUtcOffset(new DateTime(2025, 7, 1, 12, 0, 0, DateTimeKind.Utc)));
        Assert.Equal(TimeSpan.FromHours(1), berlin.GetUtcOffset(new DateTime(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc)));
    }

    [Fact]
    public void Empty_means_utc()
    {
        Assert.True(TimeZones.TryFind(null, out var zone, out _));
        Assert.Equal(TimeZoneInfo.Utc, zone);
        Assert.True(TimeZones.TryFind("", out zone, out _));
        Assert.Equal(TimeZoneInfo.Utc, zone);
    }

    [Fact]
    public void A_missing_tz_database_is_reported_as_such_rather_than_as_a_bad_name()
    {
        var missing = Path.Combine(Path.GetTempPath(), "drover-no-tzdata-" + Guid.NewGuid().ToString("N"));
        Assert.False(TimeZones.TryFind("Mars/Olympus_Mons", missing, out _, out var error));
        Assert.Contains("no time zone database", error, StringComparison.Ordinal);
        Assert.Contains("tzdata", error, StringComparison.Ordinal);
    }
}
