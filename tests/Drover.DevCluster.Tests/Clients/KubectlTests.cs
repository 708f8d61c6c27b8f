using System.Text.Json.Nodes;
using Drover.DevCluster.Tests.Server;

namespace Drover.DevCluster.Tests.Clients;

/// <summary>The real kubectl 1.35 against the dev cluster: the judge of whether it behaves like an API server.</summary>
public class KubectlTests : ClusterTestBase
{
    protected override DevClusterOptions Options => new() { SimulateKubelet = true, RolloutDelay = TimeSpan.FromMilliseconds(200) };

    /// <summary>The repository's CRDs and samples when they exist, else a fixture CRD and one widget.</summary>
    private static (string[] CrdArgs, string[] SampleArgs, string Resource, string Name, string Crd) Manifests()
    {
        var root = RealClient.RepositoryRoot!;
        if (File.Exists(Path.Combine(root, "crds", "drover.dev_agents.yaml")) && File.Exists(Path.Combine(root, "config", "samples", "agent.yaml")))
        {
            return (["-f", "crds/"], ["-f", "config/samples/agent.yaml", "-f", "config/samples/openai-provider.yaml"], "agents", "echo", "agents.drover.dev");
        }

        var fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "kubectl");
        return (["-f", Path.Combine(fixtures, "widget-crd.yaml")], ["-f", Path.Combine(fixtures, "widget.yaml")], "widgets", "echo", "widgets.example.com");
    }

    private static async Task InstallAsync(RealClient kubectl)
    {
        var (crds, samples, _, _, crd) = Manifests();
        await kubectl.OkAsync(["apply", .. crds]);
        await kubectl.OkAsync("wait", "--for=condition=established", $"crd/{crd}", "--timeout=20s");
        await kubectl.OkAsync(["apply", .. samples]);
    }

    [RealClientFact("kubectl")]
    public async Task Apply_then_get_prints_the_printer_columns()
    {
        using var kubectl = new RealClient("kubectl", Server);
        await InstallAsync(kubectl);
        var (_, _, resource, name, _) = Manifests();
        var output = await kubectl.OkAsync("get", resource);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("NAME", lines[0]);
        Assert.Contains("REPLICAS", lines[0]);
        Assert.Contains("READY", lines[0]);
        Assert.Contains("AGE", lines[0]);
        Assert.StartsWith(name, lines[1]);

        var again = await kubectl.OkAsync(["apply", .. Manifests().SampleArgs]);
        Assert.Contains("unchanged", again);
    }

    [RealClientFact("kubectl")]
    public async Task Scale_changes_the_replicas_through_the_scale_subresource()
    {
        using var kubectl = new RealClient("kubectl", Server);
        await InstallAsync(kubectl);
        var (_, _, resource, name, _) = Manifests();
        await kubectl.OkAsync("scale", resource, name, "--replicas=3");
        Assert.Equal("3", await kubectl.OkAsync("get", resource, name, "-o", "jsonpath={.spec.replicas}"));
        Assert.True(Server.Requests.Count("patch", $"{resource}/scale") >= 1);
    }

    [RealClientFact("kubectl")]
    public async Task Wait_for_a_condition_returns_once_the_status_says_so()
    {
        using var kubectl = new RealClient("kubectl", Server);
        await InstallAsync(kubectl);
        var (_, _, resource, name, _) = Manifests();
        var waiting = kubectl.RunAsync("wait", $"--for=condition=Ready", $"{resource}/{name}", "--timeout=30s");
        await EventuallyAsync(() => Task.FromResult(Server.OpenWatches > 0), "kubectl wait to watch");
        var generation = (await kubectl.OkAsync("get", resource, name, "-o", "jsonpath={.metadata.generation}")).Trim();
        var status = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["observedGeneration"] = long.Parse(generation),
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = "Ready",
                    ["status"] = "True",
                    ["reason"] = "Tested",
                    ["message"] = "set by the test",
                    ["lastTransitionTime"] = "2025-01-01T00:00:00Z",
                    ["observedGeneration"] = long.Parse(generation),
                }),
            },
        };
        await kubectl.OkAsync("patch", resource, name, "--subresource=status", "--type=merge", "-p", status.ToJsonString());
        var result = await waiting;
        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("condition met", result.Stdout);
    }

    [RealClientFact("kubectl")]
    public async Task Server_side_apply_twice_leaves_the_resourceVersion_unchanged()
    {
        using var kubectl = new RealClient("kubectl", Server);
        var (crds, samples, resource, name, crd) = Manifests();
        await kubectl.OkAsync(["apply", "--server-side", .. crds]);
        await kubectl.OkAsync("wait", "--for=condition=established", $"crd/{crd}", "--timeout=20s");
        Assert.Contains("serverside-applied", await kubectl.OkAsync(["apply", "--server-side", .. samples]));
        var before = await kubectl.OkAsync("get", resource, name, "-o", "jsonpath={.metadata.resourceVersion}");
        Server.Requests.Reset();
        await kubectl.OkAsync(["apply", "--server-side", .. samples]);
        var after = await kubectl.OkAsync("get", resource, name, "-o", "jsonpath={.metadata.resourceVersion}");
        Assert.Equal(before, after);
        Assert.True(Server.Requests.Count("patch", resource) >= 1);
    }

    [RealClientFact("kubectl")]
    public async Task Delete_waits_until_the_object_is_gone()
    {
        using var kubectl = new RealClient("kubectl", Server);
        await InstallAsync(kubectl);
        var (_, _, resource, name, _) = Manifests();
        Assert.Contains("deleted", await kubectl.OkAsync("delete", resource, name, "--timeout=20s"));
        var listing = await kubectl.RunAsync("get", resource);
        Assert.Contains("No resources found", listing.Stderr);
    }

    [RealClientFact("kubectl")]
    public async Task Builtin_workflow_create_rollout_status_and_restart()
    {
        using var kubectl = new RealClient("kubectl", Server);

        await kubectl.OkAsync("create", "deployment", "web", "--image=nginx:1", "--replicas=2");

        await kubectl.OkAsync("rollout", "status", "deployment/web", "--timeout=20s");
        await kubectl.OkAsync("rollout", "restart", "deployment/web");
        Assert.Equal("2", await kubectl.OkAsync("get", "deployment", "web", "-o", "jsonpath={.metadata.generation}"));
        await kubectl.OkAsync("rollout", "status", "deployment/web", "--timeout=20s");
        var table = await kubectl.OkAsync("get", "deploy", "web");
        Assert.Contains("2/2", table);
        await kubectl.OkAsync("label", "deployment", "web", "tier=frontend");
        Assert.Contains("web", await kubectl.OkAsync("get", "deploy", "-l", "tier in (frontend,backend)", "-o", "name"));
        await kubectl.OkAsync("create", "configmap", "settings", "--from-literal=a=b");
        await kubectl.OkAsync("delete", "deployment/web", "configmap/settings");
    }
}
