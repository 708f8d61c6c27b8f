using System.Globalization;
using System.Text.Json.Nodes;
using Drover.Operator.Cluster;
using Drover.Operator.Hosting;
using Drover.Scenarios.Support;
using Xunit.Abstractions;

namespace Drover.Scenarios.Stories;

/// <summary>Schedules never block forever: runs have a deadline, a stuck run says so, and far-off runs cost no worker.</summary>
public sealed class ScheduleRunTests(ITestOutputHelper output)
{
    private const string Image = "ghcr.io/drover-dev/echo-agent";

    private static readonly string Provider =
        Manifests.Secret("openai-key", "api-key", "sk-1") + "\n---\n" + Manifests.OpenAIProvider("openai", "openai-key");

    [Fact]
    public async Task A_run_that_outlives_the_schedules_timeout_shows_in_its_status_naming_the_Job_until_it_goes()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        await scenario.ApplyYamlAsync(Provider + "\n---\n" + Manifests.Agent("a", "openai") + "\n---\n" + Manifests.Schedule("nightly", "a") + "\n  timeoutSeconds: 2");
        await scenario.StartOperatorAsync();
        await scenario.WaitForScheduleAsync("nightly", "True", "Scheduled");
        var cronJob = (await scenario.Client.SendJsonAsync(HttpMethod.Get, "/apis/batch/v1/namespaces/default/cronjobs/nightly", null, "application/json", CancellationToken.None))!;
        Assert.Equal(2, (long)cronJob["spec"]!["jobTemplate"]!["spec"]!["activeDeadlineSeconds"]!);

        // A run started from an older template that had no deadline (as before Schedules had a default timeout), whose
        // process never ends: nothing will stop it.
        scenario.Server.Images.NeverFinish(Image);
        var template = cronJob["spec"]!["jobTemplate"]!.DeepClone().AsObject();
        template["spec"]!.AsObject().Remove("activeDeadlineSeconds");
        var job = new JsonObject
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["metadata"] = new JsonObject
            {
                ["name"] = "nightly-29412000",
                ["labels"] = template["metadata"]!["labels"]!.DeepClone(),
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "batch/v1",
                    ["kind"] = "CronJob",
                    ["name"] = "nightly",
                    ["uid"] = cronJob["metadata"]!["uid"]!.DeepClone(),
                    ["controller"] = true,
                    ["blockOwnerDeletion"] = true,
                }),
            },
            ["spec"] = template["spec"]!.DeepClone(),
        };
        await scenario.Client.SendJsonAsync(HttpMethod.Post, "/apis/batch/v1/namespaces/default/jobs", job, "application/json", CancellationToken.None);

        var stuck = await scenario.WaitForScheduleAsync("nightly", "False", "RunStuck");
        var ready = stuck.Status!.Conditions!.Single(c => c.Type == "Ready");
        Assert.Contains("Job default/nightly-29412000", ready.Message, StringComparison.Ordinal);
        Assert.Contains("no later run starts", ready.Message, StringComparison.Ordinal);
        await Eventually.TrueAsync(async () => (await scenario.WarningsAsync("nightly", "RunStuck")).Count > 0, "a RunStuck Warning Event about the Schedule");

        await scenario.Client.SendJsonAsync(HttpMethod.Delete, "/apis/batch/v1/namespaces/default/jobs/nightly-29412000?propagationPolicy=Background", null, "application/json", CancellationToken.None);
        await scenario.WaitForScheduleAsync("nightly", "True", "Scheduled");
    }

    [Fact]
    public async Task Schedules_months_away_are_reconciled_and_workers_keep_working()
    {
        // A month about half a year ahead, so the next run is always far beyond what a .NET timer accepts (49.7 days).
        var month = (DateTime.UtcNow.Month + 5) % 12 + 1;
        var far = $"0 0 1 {month.ToString(CultureInfo.InvariantCulture)} *";
        await using var scenario = await OperatorScenario.CreateAsync(output);
        await scenario.ApplyYamlAsync(string.Join(
            "\n---\n",
            [Provider, Manifests.Agent("a", "openai"), .. Enumerable.Range(1, 3).Select(i => Manifests.Schedule($"far-{i}", "a", far))]));
        await scenario.StartOperatorAsync(new RunOptions { Workers = 2, MaxConcurrentRollouts = 10 });
        for (var i = 1; i <= 3; i++)
        {
            var schedule = await scenario.WaitForScheduleAsync($"far-{i}", "True", "Scheduled");
            Assert.True(schedule.Status!.NextScheduleTime > DateTime.UtcNow.AddDays(50), $"next run {schedule.Status.NextScheduleTime:o}");
        }

        // Both workers are still there: a new Schedule, and a change to an existing one, are reconciled.
        await scenario.ApplyYamlAsync(Manifests.Schedule("soon", "a"));
        await scenario.WaitForScheduleAsync("soon", "True", "Scheduled");
        await scenario.ApplyYamlAsync(Manifests.Schedule("far-1", "a", "*/10 * * * *"));
        await scenario.WaitForAsync(OperatorKinds.CronJobs, "far-1", c => c.Spec.Schedule == "*/10 * * * *", "rescheduled");
        await scenario.WaitForScheduleAsync("far-1", "True", "Scheduled");
    }
}
