using Drover.Gateway.Admission;

namespace Drover.Gateway.Tests.Admission;

public class BudgetDaysTests
{
    [Fact]
    public void A_day_runs_from_midnight_to_midnight_in_its_zone()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var (start, end) = BudgetDays.Day(berlin, new DateTimeOffset(2026, 7, 1, 23, 30, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 7, 1, 22, 0, 0, TimeSpan.Zero), start);
        Assert.Equal(new DateTimeOffset(2026, 7, 2, 22, 0, 0, TimeSpan.Zero), end);
    }

    [Fact]
    public void The_day_daylight_saving_starts_is_23_hours_long()
    {
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var (start, end) = BudgetDays.Day(newYork, new DateTimeOffset(2026, 3, 8, 15, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 3, 8, 5, 0, 0, TimeSpan.Zero), start);
        Assert.Equal(TimeSpan.FromHours(23), end - start);
    }

    [Fact]
    public void Where_clocks_skip_midnight_the_day_starts_at_the_first_minute_that_exists()
    {
        // Santiago de Chile moves from 24:00 straight to 01:00 on the first Sunday of September.
        var santiago = TimeZoneInfo.FindSystemTimeZoneById("America/Santiago");
        var (start, end) = BudgetDays.Day(santiago, new DateTimeOffset(2026, 9, 6, 18, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTime(2026, 9, 6, 1, 0, 0), TimeZoneInfo.ConvertTime(start, santiago).DateTime);
        Assert.Equal(TimeSpan.FromHours(23), end - start);
    }
}
