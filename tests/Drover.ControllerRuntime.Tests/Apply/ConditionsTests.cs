using Drover.ControllerRuntime.Apply;
using k8s.Models;

namespace Drover.ControllerRuntime.Tests.Apply;

public class ConditionsTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2025-01-01T00:00:00.750Z");

    [Fact]
    public void The_transition_time_moves_only_when_the_status_flips()
    {
        var conditions = new List<V1Condition>();
        Assert.True(Conditions.Set(conditions, "Ready", Conditions.False, "Pending", "waiting", 1, T0));
        Assert.Equal(DateTime.Parse("2025-01-01T00:00:00Z").ToUniversalTime(), conditions[0].LastTransitionTime);

        Assert.True(Conditions.Set(conditions, "Ready", Conditions.False, "StillPending", "still waiting", 2, T0.AddMinutes(1)));
        Assert.Equal(T0.AddTicks(-T0.Ticks % TimeSpan.TicksPerSecond).UtcDateTime, conditions[0].LastTransitionTime);
        Assert.Equal(2, conditions[0].ObservedGeneration);
        Assert.Equal("StillPending", conditions[0].Reason);

        Assert.True(Conditions.Set(conditions, "Ready", Conditions.True, "Available", null, 2, T0.AddMinutes(2)));
        Assert.Equal(DateTime.Parse("2025-01-01T00:02:00Z").ToUniversalTime(), conditions[0].LastTransitionTime);
        Assert.True(Conditions.IsTrue(conditions, "Ready"));
        Assert.Single(conditions);
    }

    [Fact]
    public void Setting_the_same_condition_again_reports_no_change()
    {
        var conditions = new List<V1Condition>();
        Conditions.Set(conditions, "Ready", Conditions.True, "Available", "ok", 3, T0);
        Assert.False(Conditions.Set(conditions, "Ready", Conditions.True, "Available", "ok", 3, T0.AddHours(1)));
        Assert.True(Conditions.Set(conditions, "Other", Conditions.Unknown, "Checking", null, 3, T0));
        Assert.Equal(2, conditions.Count);
        Assert.True(Conditions.Remove(conditions, "Other"));
        Assert.Null(Conditions.Find(conditions, "Other"));
    }
}
