using System.Text.Json.Nodes;
using Drover.DevCluster.Tests.Workloads;

namespace Drover.DevCluster.Tests.Clients;

/// <summary>What kubectl shows of the simulated workloads: it should read as it does on a real cluster.</summary>
public class KubectlWorkloadTests : WorkloadTestBase
{
    private async Task ApplyAsync(RealClient kubectl, JsonObject manifest)
    {
        var file = Path.Combine(Path.GetTempPath(), $"drover-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, manifest.ToJsonString());
        try
        {
            await kubectl.OkAsync("apply", "-f", file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [RealClientFact("kubectl")]
    public async Task Get_pods_rollout_status_and_history_read_like_a_real_cluster()
    {
        using var kubectl = new RealClient("kubectl", Server);
        await ApplyAsync(kubectl, Deployment("web", replicas: 2));
        Assert.Contains("successfully rolled out", await kubectl.OkAsync("rollout", "status", "deployment/web", "--timeout=20s"));
        await kubectl.OkAsync("set", "image", "deployment/web", "main=nginx:2");
        var status = await kubectl.OkAsync("rollout", "status", "deployment/web", "--timeout=20s");
        Assert.Contains("deployment \"web\" successfully rolled out", status);

        var pods = (await kubectl.OkAsync("get", "pods", "-o", "wide")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches("^NAME +READY +STATUS +RESTARTS +AGE +IP +NODE +NOMINATED NODE +READINESS GATES$", pods[0]);
        Assert.Equal(2, pods.Length - 1);
        Assert.All(pods.Skip(1), row => Assert.Matches("^web-[a-z0-9]+-[a-z0-9]{5} +1/1 +Running +0 +\\S+ +10\\.244\\.[0-9.]+ +dev-node +<none> +<none>$", row));

        var history = await kubectl.OkAsync("rollout", "history", "deployment/web");
        Assert.Matches("REVISION +CHANGE-CAUSE\\n1 +<none>\\n2 +<none>", history);
        Assert.Contains("nginx:1", await kubectl.OkAsync("rollout", "history", "deployment/web", "--revision=1"));

        var sets = (await kubectl.OkAsync("get", "rs")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches("^NAME +DESIRED +CURRENT +READY +AGE$", sets[0]);
        Assert.Contains(sets, row => System.Text.RegularExpressions.Regex.IsMatch(row, "^web-[a-z0-9]+ +0 +0 +0 "));
        Assert.Contains(sets, row => System.Text.RegularExpressions.Regex.IsMatch(row, "^web-[a-z0-9]+ +2 +2 +2 "));
    }

    [RealClientFact("kubectl")]
    public async Task Describe_deployment_shows_its_replica_sets_conditions_and_scaling_events()
    {
        using var kubectl = new RealClient("kubectl", Server);
        await ApplyAsync(kubectl, Deployment("web"));
        await kubectl.OkAsync("rollout", "status", "deployment/web", "--timeout=20s");
        await kubectl.OkAsync("set", "image", "deployment/web", "main=nginx:2");
        await kubectl.OkAsync("rollout", "status", "deployment/web", "--timeout=20s");
        var sets = await ListAsync(ReplicaSets);
        var current = sets.Single(s => Number(s, "spec", "replicas") == 1);
        var old = sets.Single(s => s != current);

        var described = await kubectl.OkAsync("describe", "deployment", "web");
        Assert.Contains("RollingUpdateStrategy:  25% max unavailable, 25% max surge", described);
        Assert.Matches("Available +True +MinimumReplicasAvailable", described);
        Assert.Matches("Progressing +True +NewReplicaSetAvailable", described);
        Assert.Contains($"OldReplicaSets:  {Text(old, "metadata", "name")} (0/0 replicas created)", described);
        Assert.Contains($"NewReplicaSet:   {Text(current, "metadata", "name")} (1/1 replicas created)", described);
        Assert.Matches($"Normal +ScalingReplicaSet +\\S+ +deployment-controller +Scaled up replica set {Text(current, "metadata", "name")} from 0 to 1", described);
        Assert.Matches($"Normal +ScalingReplicaSet +\\S+ +deployment-controller +Scaled down replica set {Text(old, "metadata", "name")} from 1 to 0", described);

        var pod = Text((await ListAsync(Pods, "app=web"))[0], "metadata", "name")!;
        var describedPod = await kubectl.OkAsync("describe", "pod", pod);
        Assert.Contains("Node:         dev-node/172.18.0.2", describedPod);
        Assert.Contains($"Controlled By:  ReplicaSet/{Text(current, "metadata", "name")}", describedPod);
        Assert.Matches("State: +Running", describedPod);
    }

    [RealClientFact("kubectl")]
    public async Task Get_pods_shows_why_a_container_waits_and_how_often_it_restarted()
    {
        Server.Images.FailPull("nope").Crash("crasher");
        using var kubectl = new RealClient("kubectl", Server);
        await ApplyAsync(kubectl, Deployment("nopull", image: "nope:1"));
        await ApplyAsync(kubectl, Deployment("loop", image: "crasher:1"));
        await EventuallyAsync(async () =>
        {
            var table = await kubectl.OkAsync("get", "pods");
            return System.Text.RegularExpressions.Regex.IsMatch(table, "nopull-\\S+ +0/1 +ImagePullBackOff +0 ")
                && System.Text.RegularExpressions.Regex.IsMatch(table, "loop-\\S+ +0/1 +CrashLoopBackOff +[2-9] \\(\\S+ ago\\) ");
        }, "the waiting reasons in kubectl get pods", 15);
    }

    [RealClientFact("kubectl")]
    public async Task Api_resources_lists_the_workload_and_storage_kinds_and_get_prints_volumes()
    {
        using var kubectl = new RealClient("kubectl", Server);
        var resources = await kubectl.OkAsync("api-resources");
        Assert.Matches("(?m)^pods +po +v1 +true +Pod$", resources);
        Assert.Matches("(?m)^replicasets +rs +apps/v1 +true +ReplicaSet$", resources);
        Assert.Matches("(?m)^persistentvolumes +pv +v1 +false +PersistentVolume$", resources);
        Assert.Matches("(?m)^persistentvolumeclaims +pvc +v1 +true +PersistentVolumeClaim$", resources);

        await ApplyAsync(kubectl, JsonNode.Parse("""
            {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data"},
             "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}
            """)!.AsObject());
        await kubectl.OkAsync("wait", "--for=jsonpath={.status.phase}=Bound", "pvc/data", "--timeout=20s");
        var claims = await kubectl.OkAsync("get", "pvc");
        Assert.Matches("data +Bound +pvc-[0-9a-f-]{36} +1Gi +RWO +<unset> ", claims);
        var volumes = await kubectl.OkAsync("get", "pv");
        Assert.Matches("pvc-[0-9a-f-]{36} +1Gi +RWO +Delete +Bound +default/data +standard +<unset> ", volumes);
    }
}
