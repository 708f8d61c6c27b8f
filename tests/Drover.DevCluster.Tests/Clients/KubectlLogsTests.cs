using Drover.DevCluster.Tests.Server;

namespace Drover.DevCluster.Tests.Clients;

/// <summary><c>kubectl logs</c> against a cluster that runs no containers: a clear answer at once, not a wait.</summary>
public class KubectlLogsTests : ClusterTestBase
{
    [RealClientFact("kubectl")]
    public async Task Logs_answer_at_once_that_the_dev_cluster_runs_no_containers()
    {
        using var kubectl = new RealClient("kubectl", Server);
        await kubectl.OkAsync("run", "tool", "--image=busybox", "--restart=Never", "--", "sleep", "3600");

        var pod = await kubectl.RunAsync("logs", "tool");

        Assert.NotEqual(0, pod.ExitCode);
        Assert.Contains("""Error from server (BadRequest): the dev cluster runs no containers, so pod "tool" has no logs""", pod.Stderr);

        // logs deploy/NAME first finds a pod by the Deployment's selector, then asks for its logs.
        await kubectl.OkAsync("create", "deployment", "web", "--image=nginx");
        await kubectl.OkAsync("run", "web-pod", "--image=nginx", "--labels=app=web");
        var deployment = await kubectl.RunAsync("logs", "deploy/web", "--pod-running-timeout=5s");
        Assert.NotEqual(0, deployment.ExitCode);
        Assert.Contains("""the dev cluster runs no containers, so pod "web-pod" has no logs""", deployment.Stderr);

        var missing = await kubectl.RunAsync("logs", "nothing");
        Assert.Contains("""pods "nothing" not found""", missing.Stderr);
    }
}
