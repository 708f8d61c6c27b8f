using Drover.Api.Scheduling;

namespace Drover.Api.Tests;

public class ScheduleTimesTests
{
    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute = 0) =>
        new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public void Daily_schedule_in_Berlin_follows_the_spring_daylight_saving_change()
    {
        // 30 March 2025: Berlin moves from CET (UTC+1) to CEST (UTC+2) at 02:00.
        var beforeChange = ScheduleTimes.Next("30 7 * * *", "Europe/Berlin", Utc(2025, 3, 29, 0));
        var afterChange = ScheduleTimes.Next("30 7 * * *", "Europe/Berlin", beforeChange!.Value);

        Assert.Equal(Utc(2025, 3, 29, 6, 30), beforeChange.Value.ToUniversalTime());
        Assert.Equal(Utc(2025, 3, 30, 5, 30), afterChange!.Value.ToUniversalTime());
        Assert.Equal(TimeSpan.FromHours(23), afterChange.Value - beforeChange.Value);
    }

    [Fact]
    public void Daily_schedule_in_Berlin_follows_the_autumn_daylight_saving_change()
    {
        // 26 October 2025: back from CEST to CET at 03:00.
        var first = ScheduleTimes.Next("@daily", "Europe/Berlin", Utc(2025, 10, 25, 12));
        var second = ScheduleTimes.Next("@daily", "Europe/Berlin", first!.Value);

        Assert.Equal(Utc(2025, 10, 25, 22), first.Value.ToUniversalTime());
        Assert.Equal(Utc(2025, 10, 26, 23), second!.Value.ToUniversalTime());
        Assert.Equal(TimeSpan.FromHours(25), second.Value - first.Value);
    }

    [Fact]
    public void A_time_skipped_by_the_spring_change_runs_at_the_end_of_the_gap()
    {
        // 02:30 does not exist in Berlin on 30 March 2025; the run happens once, when the clock reaches 03:00 CEST.
        var next = ScheduleTimes.Next("30 2 * * *", "Europe/Berlin", Utc(2025, 3, 29, 12));
        Assert.Equal(Utc(2025, 3, 30, 1, 0), next!.Value.ToUniversalTime());
    }

    [Fact]
    public void Without_a_time_zone_the_schedule_is_read_in_UTC()
    {
        Assert.Equal(Utc(2025, 6, 2, 9), ScheduleTimes.Next("0 9 * * *", null, Utc(2025, 6, 2, 8, 59)));
        Assert.Equal(Utc(2025, 6, 3, 9), ScheduleTimes.Next("0 9 * * *", "UTC", Utc(2025, 6, 2, 9)));
    }

    [Theory]
    [InlineData("@hourly", "2025-06-02T10:00:00Z")]
    [InlineData("@daily", "2025-06-03T00:00:00Z")]
    [InlineData("@midnight", "2025-06-03T00:00:00Z")]
    [InlineData("@weekly", "2025-06-08T00:00:00Z")]
    [InlineData("@monthly", "2025-07-01T00:00:00Z")]
    [InlineData("@yearly", "2026-01-01T00:00:00Z")]
    [InlineData("@annually", "2026-01-01T00:00:00Z")]
    [InlineData("*/20 9-17 * * 1-5", "2025-06-02T09:40:00Z")]
    public void Descriptors_and_fields_fire_when_a_CronJob_would(string cron, string expected)
    {
        // Monday 2 June 2025, 09:30 UTC.
        var next = ScheduleTimes.Next(cron, null, Utc(2025, 6, 2, 9, 30));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), next);
    }

    [Fact]
    public void Invalid_input_throws_with_the_validation_message()
    {
        var cron = Assert.Throws<ArgumentException>(() => ScheduleTimes.Next("0 0 9 * * *", null, Utc(2025, 1, 1, 0)));
        Assert.Contains("seconds field", cron.Message, StringComparison.Ordinal);
        var zone = Assert.Throws<ArgumentException>(() => ScheduleTimes.Next("@daily", "Europe/Atlantis", Utc(2025, 1, 1, 0)));
        Assert.Contains("Europe/Atlantis", zone.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_schedule_that_never_fires_has_no_next_time() =>
        Assert.Null(ScheduleTimes.Next("0 0 30 2 *", null, Utc(2025, 1, 1, 0)));
}
