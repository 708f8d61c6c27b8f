using System.Net;
using System.Text.Json.Nodes;
using Drover.DevCluster.Tests.Server;

namespace Drover.DevCluster.Tests.Clients;

/// <summary>
/// kubectl's typed commands (<c>create namespace|deployment|serviceaccount|cronjob|job</c>) send protobuf bodies;
/// the real kubectl 1.35 against the dev cluster, with what it reads back.
/// </summary>
public class KubectlCreateTests : ClusterTestBase
{
    private static async Task<JsonObject> GetJsonAsync(RealClient kubectl, params string[] args) =>
        JsonNode.Parse(await kubectl.OkAsync([.. args, "-o", "json"]))!.AsObject();

    [RealClientFact("kubectl")]
    public async Task Create_namespace_deployment_and_serviceaccount_succeed_and_read_back()
    {
        using var kubectl = new RealClient("kubectl", Server);

        Assert.Contains("namespace/team-a created", await kubectl.OkAsync("create", "namespace", "team-a"));
        Assert.Contains("deployment.apps/web created", await kubectl.OkAsync("create", "deployment", "web", "--image=nginx:1.27", "--replicas=2", "--port=8080", "-n", "team-a"));
        Assert.Contains("serviceaccount/sa created", await kubectl.OkAsync("create", "serviceaccount", "sa", "-n", "team-a"));

        var ns = await GetJsonAsync(kubectl, "get", "namespace", "team-a");
        Assert.Equal("team-a", ns["metadata"]!["labels"]!["kubernetes.io/metadata.name"]!.GetValue<string>());
        Assert.Equal("Active", ns["status"]!["phase"]!.GetValue<string>());

        var deployment = await GetJsonAsync(kubectl, "get", "deployment", "web", "-n", "team-a");
        var spec = deployment["spec"]!;
        Assert.Equal(2, spec["replicas"]!.GetValue<int>());
        Assert.Equal("""{"matchLabels":{"app":"web"}}""", spec["selector"]!.ToJsonString());
        var container = spec["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("nginx", container["name"]!.GetValue<string>());
        Assert.Equal("nginx:1.27", container["image"]!.GetValue<string>());
        Assert.Equal(8080, container["ports"]![0]!["containerPort"]!.GetValue<int>());
        Assert.Equal("IfNotPresent", container["imagePullPolicy"]!.GetValue<string>());
        Assert.Equal("RollingUpdate", spec["strategy"]!["type"]!.GetValue<string>());

        var account = await GetJsonAsync(kubectl, "get", "serviceaccount", "sa", "-n", "team-a");
        Assert.Equal("team-a", account["metadata"]!["namespace"]!.GetValue<string>());
    }

    [RealClientFact("kubectl")]
    public async Task A_job_created_from_a_cronjob_carries_its_template_and_owner()
    {
        using var kubectl = new RealClient("kubectl", Server);
        await kubectl.OkAsync("create", "cronjob", "nightly", "--image=busybox:1.36", "--schedule=0 3 * * *", "--", "echo", "hi");

        Assert.Contains("job.batch/run1 created", await kubectl.OkAsync("create", "job", "run1", "--from=cronjob/nightly"));

        var cronJob = await GetJsonAsync(kubectl, "get", "cronjob", "nightly");
        Assert.Equal("0 3 * * *", cronJob["spec"]!["schedule"]!.GetValue<string>());
        Assert.Equal("Allow", cronJob["spec"]!["concurrencyPolicy"]!.GetValue<string>());
        var job = await GetJsonAsync(kubectl, "get", "job", "run1");
        var owner = job["metadata"]!["ownerReferences"]![0]!;
        Assert.Equal("CronJob", owner["kind"]!.GetValue<string>());
        Assert.Equal("nightly", owner["name"]!.GetValue<string>());
        Assert.Equal(cronJob["metadata"]!["uid"]!.GetValue<string>(), owner["uid"]!.GetValue<string>());
        Assert.Equal("manual", job["metadata"]!["annotations"]!["cronjob.kubernetes.io/instantiate"]!.GetValue<string>());
        var pod = job["spec"]!["template"]!["spec"]!;
        Assert.Equal("""["echo","hi"]""", pod["containers"]![0]!["command"]!.ToJsonString());
        Assert.Equal("OnFailure", pod["restartPolicy"]!.GetValue<string>());
        Assert.Equal(job["metadata"]!["uid"]!.GetValue<string>(), job["spec"]!["selector"]!["matchLabels"]!["batch.kubernetes.io/controller-uid"]!.GetValue<string>());
    }

    [RealClientFact("kubectl")]
    public async Task Expose_gives_the_service_a_cluster_ip_that_get_svc_shows()
    {
        using var kubectl = new RealClient("kubectl", Server);
        await kubectl.OkAsync("create", "deployment", "web", "--image=nginx", "--port=8080");

        Assert.Contains("service/web exposed", await kubectl.OkAsync("expose", "deployment", "web", "--port", "80", "--target-port", "8080"));

        var service = await GetJsonAsync(kubectl, "get", "service", "web");
        var ip = service["spec"]!["clusterIP"]!.GetValue<string>();
        var bytes = IPAddress.Parse(ip).GetAddressBytes();
        Assert.True(bytes[0] == 10 && bytes[1] is >= 96 and <= 111, ip);
        Assert.Equal($$"""["{{ip}}"]""", service["spec"]!["clusterIPs"]!.ToJsonString());
        Assert.Equal("""{"app":"web"}""", service["spec"]!["selector"]!.ToJsonString());
        Assert.Equal(8080, service["spec"]!["ports"]![0]!["targetPort"]!.GetValue<int>());

        var table = await kubectl.OkAsync("get", "svc", "web");
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["web", "ClusterIP", ip, "<none>", "80/TCP"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..5]);
    }

    [RealClientFact("kubectl")]
    public async Task A_taken_cluster_ip_is_refused_with_the_message_a_real_server_gives()
    {
        using var kubectl = new RealClient("kubectl", Server);
        await kubectl.OkAsync("create", "service", "clusterip", "dns", "--tcp=53", "--clusterip=10.96.0.10");

        var result = await kubectl.RunAsync("create", "service", "clusterip", "other", "--tcp=53", "--clusterip=10.96.0.10");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("""Service "other" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated""", result.Stderr);
    }
}
