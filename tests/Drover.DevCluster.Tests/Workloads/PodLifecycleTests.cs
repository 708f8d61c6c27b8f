using System.Text.Json.Nodes;

namespace Drover.DevCluster.Tests.Workloads;

/// <summary>The simulated kubelet's answers to images that cannot run as asked, as a real kubelet reports them.</summary>
public class PodLifecycleTests : WorkloadTestBase
{
    protected override DevClusterOptions Options => new()
    {
        SimulateKubelet = true,
        RolloutDelay = TimeSpan.FromMilliseconds(200),
        RestartBackOff = TimeSpan.FromMilliseconds(200),
        Images = new TestControls.SimulatedImages().RunAsRoot("rooted").RunAsUserName("nobody", "named:1"),
    };

    private static JsonObject Pod(string name, string image, JsonObject? podSecurity = null, JsonObject? containerSecurity = null, string? restartPolicy = null)
    {
        var container = new JsonObject { ["name"] = "app", ["image"] = image };
        if (containerSecurity is not null)
        {
            container["securityContext"] = containerSecurity;
        }

        var spec = new JsonObject { ["containers"] = new JsonArray(container) };
        if (podSecurity is not null)
        {
            spec["securityContext"] = podSecurity;
        }

        if (restartPolicy is not null)
        {
            spec["restartPolicy"] = restartPolicy;
        }

        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = spec };
    }

    private async Task<JsonObject> PodAsync(string name) => await GetOkAsync($"{Pods}/{name}");

    private static JsonNode? ContainerStatus(JsonObject pod) => pod["status"]?["containerStatuses"]?[0];

    private async Task<JsonObject> WaitingAsync(string name, string reason)
    {
        await EventuallyAsync(async () => Text(ContainerStatus(await PodAsync(name)), "state", "waiting", "reason") == reason, $"{name} to wait with {reason}");
        return await PodAsync(name);
    }

    [Fact]
    public async Task A_pod_is_bound_to_the_node_and_creating_until_the_rollout_delay_passes()
    {
        var created = await CreateOkAsync(Pods, Pod("plain", "busybox:1.36"));
        await EventuallyAsync(async () => Text(await PodAsync("plain"), "spec", "nodeName") == "dev-node", "the pod to be bound");
        var pending = await PodAsync("plain");
        if (Text(pending, "status", "phase") == "Pending")
        {
            Assert.Equal("ContainerCreating", Text(ContainerStatus(pending), "state", "waiting", "reason"));
            Assert.Equal("False", Text(Condition(pending, "Ready"), "status"));
        }

        await EventuallyAsync(async () => Text(await PodAsync("plain"), "status", "phase") == "Running", "the pod to run");
        Assert.Equal("True", Text(Condition(await PodAsync("plain"), "Ready"), "status"));
        Assert.Equal(Text(created, "metadata", "uid"), Text(await PodAsync("plain"), "metadata", "uid"));
    }

    [Fact]
    public async Task RunAsNonRoot_stops_an_image_that_runs_as_root_with_the_kubelets_message()
    {
        var created = await CreateOkAsync(Pods, Pod("root", "rooted:2", podSecurity: new JsonObject { ["runAsNonRoot"] = true }));
        var pod = await WaitingAsync("root", "CreateContainerConfigError");
        Assert.Equal($"container has runAsNonRoot and image will run as root (pod: \"root_default({Text(created, "metadata", "uid")})\", container: app)",
            Text(ContainerStatus(pod), "state", "waiting", "message"));
        Assert.Equal("Pending", Text(pod, "status", "phase"));
        Assert.Equal("ContainersNotReady", Text(Condition(pod, "Ready"), "reason"));
    }

    [Fact]
    public async Task RunAsNonRoot_on_the_container_alone_applies_too_and_a_user_name_cannot_be_verified()
    {
        var created = await CreateOkAsync(Pods, Pod("named", "named:1", containerSecurity: new JsonObject { ["runAsNonRoot"] = true }));
        var pod = await WaitingAsync("named", "CreateContainerConfigError");
        Assert.Equal($"container has runAsNonRoot and image has non-numeric user (nobody), cannot verify user is non-root (pod: \"named_default({Text(created, "metadata", "uid")})\", container: app)",
            Text(ContainerStatus(pod), "state", "waiting", "message"));
    }

    [Fact]
    public async Task A_numeric_run_as_user_lets_a_root_image_start_under_run_as_non_root()
    {
        await CreateOkAsync(Pods, Pod("uid", "rooted:2", podSecurity: new JsonObject { ["runAsNonRoot"] = true, ["runAsUser"] = 65532 }));
        await EventuallyAsync(async () => Text(await PodAsync("uid"), "status", "phase") == "Running", "the pod to run");

        await CreateOkAsync(Pods, Pod("zero", "busybox", podSecurity: new JsonObject { ["runAsNonRoot"] = true }, containerSecurity: new JsonObject { ["runAsUser"] = 0 }));
        var zero = await WaitingAsync("zero", "CreateContainerConfigError");
        Assert.StartsWith("container's runAsUser breaks non-root policy (pod: \"zero_default(", Text(ContainerStatus(zero), "state", "waiting", "message"));
    }

    [Fact]
    public async Task An_image_that_cannot_be_pulled_backs_off_and_starts_once_it_can()
    {
        Server.Images.FailPull("ghcr.io/acme/agent:9");
        await CreateOkAsync(Pods, Pod("pull", "ghcr.io/acme/agent:9"));
        var failed = await WaitingAsync("pull", "ErrImagePull");
        const string Error = "rpc error: code = NotFound desc = failed to pull and unpack image \"ghcr.io/acme/agent:9\": failed to resolve reference \"ghcr.io/acme/agent:9\": ghcr.io/acme/agent:9: not found";
        Assert.Equal(Error, Text(ContainerStatus(failed), "state", "waiting", "message"));
        var backingOff = await WaitingAsync("pull", "ImagePullBackOff");
        Assert.Equal($"Back-off pulling image \"ghcr.io/acme/agent:9\": ErrImagePull: {Error}", Text(ContainerStatus(backingOff), "state", "waiting", "message"));
        Assert.Equal("Pending", Text(backingOff, "status", "phase"));

        Server.Images.Reset("ghcr.io/acme/agent:9");
        await EventuallyAsync(async () => Text(await PodAsync("pull"), "status", "phase") == "Running", "the pull to succeed on a retry");
    }

    [Fact]
    public async Task A_crashing_image_loops_with_a_growing_restart_count()
    {
        Server.Images.Crash("crasher");
        var created = await CreateOkAsync(Pods, Pod("crash", "crasher:latest"));
        await EventuallyAsync(async () => Number(ContainerStatus(await PodAsync("crash")), "restartCount") >= 3, "three restarts");
        var pod = await WaitingAsync("crash", "CrashLoopBackOff");
        var status = ContainerStatus(pod);
        Assert.Matches($"^back-off [0-9.]+(ms|s) restarting failed container=app pod=crash_default\\({Text(created, "metadata", "uid")}\\)$", Text(status, "state", "waiting", "message"));
        Assert.Equal(1, Number(status, "lastState", "terminated", "exitCode"));
        Assert.Equal("Error", Text(status, "lastState", "terminated", "reason"));
        Assert.Equal("Running", Text(pod, "status", "phase"));
        Assert.False(status!["ready"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_pod_that_is_not_restarted_finishes_and_a_crash_fails_it()
    {
        await CreateOkAsync(Pods, Pod("once", "busybox", restartPolicy: "Never"));
        await EventuallyAsync(async () => Text(await PodAsync("once"), "status", "phase") == "Succeeded", "the pod to finish");
        var done = await PodAsync("once");
        Assert.Equal(("Completed", 0L), (Text(ContainerStatus(done), "state", "terminated", "reason"), Number(ContainerStatus(done), "state", "terminated", "exitCode")));
        Assert.Equal("PodCompleted", Text(Condition(done, "Ready"), "reason"));

        Server.Images.Crash("crasher");
        await CreateOkAsync(Pods, Pod("fails", "crasher", restartPolicy: "Never"));
        await EventuallyAsync(async () => Text(await PodAsync("fails"), "status", "phase") == "Failed", "the pod to fail");
        Assert.Equal("Error", Text(ContainerStatus(await PodAsync("fails")), "state", "terminated", "reason"));
    }
}
