using System.Text.Json.Nodes;
using Drover.DevCluster;

namespace Drover.DevCluster.Tests.Server;

public class KubeletSimulationTests : ClusterTestBase
{
    private const string Deployments = "/apis/apps/v1/namespaces/default/deployments";

    protected override DevClusterOptions Options => new() { SimulateKubelet = true, RolloutDelay = TimeSpan.FromMilliseconds(700) };

    private static bool Condition(JsonNode? status, string type) =>
        status?["conditions"]?.AsArray().Any(c => c!["type"]!.GetValue<string>() == type && c["status"]!.GetValue<string>() == "True") == true;

    private async Task<JsonObject> DeploymentAsync(string name) => (await GetAsync($"{Deployments}/{name}")).Json!;

    private static bool FullyAvailable(JsonObject deployment, int replicas) =>
        deployment["status"]?["observedGeneration"]?.GetValue<long>() == Generation(deployment)
        && deployment["status"]?["readyReplicas"]?.GetValue<long>() == replicas
        && deployment["status"]?["availableReplicas"]?.GetValue<long>() == replicas
        && deployment["status"]?["updatedReplicas"]?.GetValue<long>() == replicas
        && Condition(deployment["status"], "Available")
        && Condition(deployment["status"], "Progressing");

    [Fact]
    public async Task A_new_deployment_becomes_fully_available()
    {
        await CreateOkAsync(Deployments, Deployment("web", replicas: 2));
        await EventuallyAsync(async () => FullyAvailable(await DeploymentAsync("web"), 2), "the deployment to become available", 5);
    }

    [Fact]
    public async Task A_rolling_change_settles_only_after_the_rollout_delay()
    {
        await CreateOkAsync(Deployments, Deployment("roll"));
        await EventuallyAsync(async () => FullyAvailable(await DeploymentAsync("roll"), 1), "the first rollout", 5);

        var changedAt = DateTime.UtcNow;
        await PatchAsync(Deployments + "/roll", JsonNode.Parse("""{"spec":{"template":{"spec":{"containers":[{"name":"main","image":"nginx:2"}]}}}}""")!);
        await EventuallyAsync(async () => (await DeploymentAsync("roll"))["status"]?["observedGeneration"]?.GetValue<long>() == 2, "the change to be observed", 5);
        Assert.False(FullyAvailable(await DeploymentAsync("roll"), 1));
        await EventuallyAsync(async () => FullyAvailable(await DeploymentAsync("roll"), 1), "the rollout to finish", 5);
        Assert.True(DateTime.UtcNow - changedAt >= TimeSpan.FromMilliseconds(650));
    }

    [Fact]
    public async Task A_steady_deployment_gets_no_further_status_writes()
    {
        await CreateOkAsync(Deployments, Deployment("calm"));
        await EventuallyAsync(async () => FullyAvailable(await DeploymentAsync("calm"), 1), "availability", 5);
        var rv = Rv(await DeploymentAsync("calm"));
        await Task.Delay(600);
        Assert.Equal(rv, Rv(await DeploymentAsync("calm")));
    }

    [Fact]
    public async Task Jobs_complete()
    {
        await CreateOkAsync("/apis/batch/v1/namespaces/default/jobs", JsonNode.Parse("""
            {"metadata":{"name":"once"},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}
            """)!);
        await EventuallyAsync(async () =>
        {
            var job = (await GetAsync("/apis/batch/v1/namespaces/default/jobs/once")).Json!;
            return Condition(job["status"], "Complete") && job["status"]!["succeeded"]!.GetValue<long>() == 1;
        }, "the job to complete", 5);
    }
}
