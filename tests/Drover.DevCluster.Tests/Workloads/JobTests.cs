using System.Text.Json.Nodes;

namespace Drover.DevCluster.Tests.Workloads;

/// <summary>The simulated job controller: a Job runs as pods, completes, or fails by deadline or back-off limit.</summary>
public class JobTests : WorkloadTestBase
{
    private static JsonObject Job(string name, string image = "busybox", string restartPolicy = "Never", JsonObject? extra = null)
    {
        var spec = new JsonObject
        {
            ["template"] = new JsonObject
            {
                ["spec"] = new JsonObject
                {
                    ["restartPolicy"] = restartPolicy,
                    ["containers"] = new JsonArray(new JsonObject { ["name"] = "run", ["image"] = image }),
                },
            },
        };
        foreach (var (key, value) in extra ?? [])
        {
            spec[key] = value?.DeepClone();
        }

        return new JsonObject { ["apiVersion"] = "batch/v1", ["kind"] = "Job", ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = spec };
    }

    private Task<JsonObject> JobAsync(string name) => GetOkAsync($"{Jobs}/{name}");

    private static bool Has(JsonObject job, string type, string reason) =>
        Text(Condition(job, type), "status") == "True" && Text(Condition(job, type), "reason") == reason;

    [Fact]
    public async Task A_job_runs_a_pod_to_completion()
    {
        var job = await CreateOkAsync(Jobs, Job("once"));
        await EventuallyAsync(async () => Has(await JobAsync("once"), "Complete", "CompletionsReached"), "the job to complete");
        var done = await JobAsync("once");
        Assert.Equal(1, Number(done, "status", "succeeded"));
        Assert.True(Has(done, "SuccessCriteriaMet", "CompletionsReached"));
        Assert.NotNull(Text(done, "status", "completionTime"));
        Assert.Null(done["status"]!["active"]);

        var pod = Assert.Single(await ListAsync(Pods, "job-name=once"));
        Assert.Matches("^once-[bcdfghjklmnpqrstvwxz2456789]{5}$", Text(pod, "metadata", "name"));
        Assert.Equal("Succeeded", Text(pod, "status", "phase"));
        Assert.Equal(Text(job, "metadata", "uid"), Text(pod, "metadata", "labels", "batch.kubernetes.io/controller-uid"));
        Assert.Equal(("Job", "once"), (Text(pod["metadata"]!["ownerReferences"]![0], "kind"), Text(pod["metadata"]!["ownerReferences"]![0], "name")));
    }

    [Fact]
    public async Task A_run_that_never_finishes_stays_running_until_its_deadline_fails_the_job()
    {
        Server.Images.NeverFinish("forever");
        await CreateOkAsync(Jobs, Job("endless", "forever:1", extra: new JsonObject { ["activeDeadlineSeconds"] = 2 }));
        await EventuallyAsync(async () => (await ListAsync(Pods, "job-name=endless")).Any(p => Text(p, "status", "phase") == "Running"), "the pod to run");
        Assert.Equal(1, Number(await JobAsync("endless"), "status", "active"));

        await EventuallyAsync(async () => Has(await JobAsync("endless"), "Failed", "DeadlineExceeded"), "the deadline to fail the job", 10);
        var failed = await JobAsync("endless");
        Assert.Equal("Job was active longer than specified deadline", Text(Condition(failed, "Failed"), "message"));
        Assert.True(Has(failed, "FailureTarget", "DeadlineExceeded"));
        Assert.Null(failed["status"]!["active"]);
        Assert.Equal(1, Number(failed, "status", "failed"));
        Assert.Empty(await ListAsync(Pods, "job-name=endless"));
    }

    [Fact]
    public async Task Failed_pods_are_replaced_until_the_backoff_limit()
    {
        Server.Images.Crash("crasher");
        await CreateOkAsync(Jobs, Job("flaky", "crasher", extra: new JsonObject { ["backoffLimit"] = 2 }));
        await EventuallyAsync(async () => Has(await JobAsync("flaky"), "Failed", "BackoffLimitExceeded"), "the back-off limit", 15);
        var failed = await JobAsync("flaky");
        Assert.Equal("Job has reached the specified backoff limit", Text(Condition(failed, "Failed"), "message"));
        Assert.Equal(3, Number(failed, "status", "failed"));
        var pods = await ListAsync(Pods, "job-name=flaky");
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.Equal("Failed", Text(p, "status", "phase")));
    }

    [Fact]
    public async Task Restarts_count_against_the_backoff_limit_under_on_failure()
    {
        Server.Images.Crash("crasher");
        await CreateOkAsync(Jobs, Job("retry", "crasher", restartPolicy: "OnFailure", extra: new JsonObject { ["backoffLimit"] = 2 }));
        await EventuallyAsync(async () => Has(await JobAsync("retry"), "Failed", "BackoffLimitExceeded"), "the back-off limit", 15);
        Assert.Empty(await ListAsync(Pods, "job-name=retry"));
    }

    [Fact]
    public async Task Parallel_completions_run_several_pods()
    {
        await CreateOkAsync(Jobs, Job("many", extra: new JsonObject { ["completions"] = 3, ["parallelism"] = 2 }));
        await EventuallyAsync(async () => Has(await JobAsync("many"), "Complete", "CompletionsReached"), "three completions", 10);
        Assert.Equal(3, Number(await JobAsync("many"), "status", "succeeded"));
        Assert.Equal(3, (await ListAsync(Pods, "job-name=many")).Count);
    }
}
