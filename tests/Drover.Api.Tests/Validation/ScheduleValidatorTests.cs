using Drover.Api.V1Alpha1;
using Drover.Api.Validation;
using k8s.Models;

namespace Drover.Api.Tests.Validation;

public class ScheduleValidatorTests
{
    private static Schedule Schedule(string cron = "@daily", string? timeZone = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "digest", NamespaceProperty = "default" },
        Spec = new ScheduleSpec
        {
            AgentRef = new AgentReference { Name = "echo" },
            Schedule = cron,
            TimeZone = timeZone,
            Prompt = "Summarise the news.",
        },
    };

    private static void AssertOnlyError(Schedule schedule, string field, string? messagePart = null)
    {
        var error = Assert.Single(ScheduleValidator.Validate(schedule));
        Assert.Equal(field, error.Field);
        if (messagePart is not null)
        {
            Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        }
    }

    private static void AssertValid(Schedule schedule) => Assert.Empty(ScheduleValidator.Validate(schedule));

    [Theory]
    [InlineData("@daily")]
    [InlineData("@hourly")]
    [InlineData("@weekly")]
    [InlineData("@monthly")]
    [InlineData("@yearly")]
    [InlineData("@annually")]
    [InlineData("@midnight")]
    [InlineData("*/15 * * * *")]
    [InlineData("0 9 * * 1-5")]
    [InlineData("30 7 * * MON-FRI")]
    [InlineData("0 0 1 JAN,JUL *")]
    [InlineData("0 12 ? * WED")]
    public void Five_field_crons_and_descriptors_are_accepted(string cron) => AssertValid(Schedule(cron));

    [Theory]
    [InlineData("0 0 9 * * *", "seconds field")]
    [InlineData("0 9 * *", "expected five")]
    [InlineData("61 * * * *", "not a valid cron")]
    [InlineData("@every_minute", "not a supported descriptor")]
    [InlineData("@reboot", "not a supported descriptor")]
    [InlineData("0 0 L * *", "L, W or #")]
    [InlineData("0 0 * * 5#3", "L, W or #")]
    [InlineData("TZ=Europe/Berlin 0 9 * * *", "spec.timeZone")]
    [InlineData("", "required")]
    [InlineData("0 0 30 2 *", "never fires")]
    public void Bad_crons_are_rejected_on_spec_schedule(string cron, string messagePart) =>
        AssertOnlyError(Schedule(cron), "spec.schedule", messagePart);

    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("America/New_York")]
    [InlineData("Asia/Kolkata")]
    [InlineData("UTC")]
    [InlineData("Etc/UTC")]
    [InlineData(null)]
    public void Iana_time_zones_are_accepted(string? zone) => AssertValid(Schedule(timeZone: zone));

    [Theory]
    [InlineData("Mars/Olympus_Mons", "not a known IANA time zone")]
    [InlineData("Europe/Berlinn", "not a known IANA time zone")]
    [InlineData("W. Europe Standard Time", "not a known IANA time zone")]
    [InlineData("Local", "IANA")]
    public void Unknown_time_zones_are_rejected_on_spec_timeZone(string zone, string messagePart) =>
        AssertOnlyError(Schedule(timeZone: zone), "spec.timeZone", messagePart);

    [Fact]
    public void AgentRef_is_required()
    {
        var schedule = Schedule();
        schedule.Spec.AgentRef.Name = "";
        AssertOnlyError(schedule, "spec.agentRef.name");
    }

    [Fact]
    public void Prompt_xor_promptFrom()
    {
        var schedule = Schedule();
        schedule.Spec.PromptFrom = new ConfigMapTextSource { ConfigMapKeyRef = new ConfigMapKeyReference { Name = "prompts", Key = "digest" } };
        AssertOnlyError(schedule, "spec.promptFrom", "not both");

        schedule.Spec.Prompt = null;
        AssertValid(schedule);

        schedule.Spec.PromptFrom = null;
        AssertOnlyError(schedule, "spec.prompt", "spec.promptFrom");
    }

    [Fact]
    public void PromptFrom_needs_a_complete_reference()
    {
        var schedule = Schedule();
        schedule.Spec.Prompt = null;
        schedule.Spec.PromptFrom = new ConfigMapTextSource { ConfigMapKeyRef = new ConfigMapKeyReference { Key = "digest" } };
        AssertOnlyError(schedule, "spec.promptFrom.configMapKeyRef.name");
        schedule.Spec.PromptFrom.ConfigMapKeyRef = null;
        AssertOnlyError(schedule, "spec.promptFrom.configMapKeyRef");
    }

    [Fact]
    public void ConcurrencyPolicy_must_be_known()
    {
        var schedule = Schedule();
        schedule.Spec.ConcurrencyPolicy = "Queue";
        AssertOnlyError(schedule, "spec.concurrencyPolicy", "Forbid, Allow, Replace");
        schedule.Spec.ConcurrencyPolicy = ConcurrencyPolicies.Replace;
        AssertValid(schedule);
    }

    [Fact]
    public void Numeric_fields_are_range_checked()
    {
        var schedule = Schedule();
        schedule.Spec.StartingDeadlineSeconds = -1;
        AssertOnlyError(schedule, "spec.startingDeadlineSeconds");
        schedule.Spec.StartingDeadlineSeconds = 0;
        schedule.Spec.TimeoutSeconds = 0;
        AssertOnlyError(schedule, "spec.timeoutSeconds");
        schedule.Spec.TimeoutSeconds = 60;
        schedule.Spec.Retries = 11;
        AssertOnlyError(schedule, "spec.retries");
        schedule.Spec.Retries = 2;
        schedule.Spec.History = new RunHistory { Successful = -1 };
        AssertOnlyError(schedule, "spec.history.successful");
        schedule.Spec.History = new RunHistory { Failed = -1 };
        AssertOnlyError(schedule, "spec.history.failed");
        schedule.Spec.History = new RunHistory { Successful = 0, Failed = 0 };
        AssertValid(schedule);
    }

    [Fact]
    public void Name_must_fit_a_CronJob()
    {
        var schedule = Schedule();
        schedule.Metadata.Name = new string('a', 53);
        AssertOnlyError(schedule, "metadata.name", "52");
        schedule.Metadata.Name = new string('a', 52);
        AssertValid(schedule);
    }

    [Fact]
    public void A_schedule_budget_follows_the_agent_budget_rules()
    {
        var schedule = Schedule();
        schedule.Spec.Budget = new Budget { TokensPerDay = 0 };
        AssertOnlyError(schedule, "spec.budget.tokensPerDay", "between 1 and");
        schedule.Spec.Budget = new Budget { TokensPerDay = 10_000, TimeZone = "Nowhere/Town" };
        AssertOnlyError(schedule, "spec.budget.timeZone", "Nowhere/Town");
        schedule.Spec.Budget = new Budget { CostPerDay = 0.25m, TimeZone = "America/New_York" };
        AssertValid(schedule);
    }
}
