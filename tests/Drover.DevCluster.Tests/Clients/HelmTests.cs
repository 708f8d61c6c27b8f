using System.Net;
using Drover.DevCluster.Tests.Server;

namespace Drover.DevCluster.Tests.Clients;

/// <summary>The real helm 4 (server-side apply, protobuf release Secrets, kstatus waiting) against the dev cluster.</summary>
public class HelmTests : ClusterTestBase
{
    protected override DevClusterOptions Options => new() { SimulateKubelet = true, RolloutDelay = TimeSpan.FromMilliseconds(200) };

    private static string Chart => Path.Combine(AppContext.BaseDirectory, "Fixtures", "chart");

    [RealClientFact("helm")]
    public async Task Install_upgrade_and_uninstall_a_chart_with_a_CRD_and_a_deployment()
    {
        using var helm = new RealClient("helm", Server);
        await helm.OkAsync("install", "demo", Chart, "--wait", "--timeout", "30s");
        var deployment = await GetAsync("/apis/apps/v1/namespaces/default/deployments/demo-web");
        Assert.Equal(HttpStatusCode.OK, deployment.Status);
        Assert.Contains(deployment.Json!["metadata"]!["managedFields"]!.AsArray(), m => m!["manager"]!.GetValue<string>() == "helm");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")).Status);
        Assert.Equal("small", (await GetAsync("/apis/example.com/v1/namespaces/default/widgets/demo-widget")).Json!["spec"]!["size"]!.GetValue<string>());
        var release = await GetAsync("/api/v1/namespaces/default/secrets/sh.helm.release.v1.demo.v1");
        Assert.Equal("helm.sh/release.v1", release.Json!["type"]!.GetValue<string>());

        await helm.OkAsync("upgrade", "demo", Chart, "--set", "replicas=3", "--set", "size=large", "--wait", "--timeout", "30s");
        var upgraded = await GetAsync("/apis/apps/v1/namespaces/default/deployments/demo-web");
        Assert.Equal(3, upgraded.Json!["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(2, Generation(upgraded.Json));
        Assert.Equal("large", (await GetAsync("/apis/example.com/v1/namespaces/default/widgets/demo-widget")).Json!["spec"]!["size"]!.GetValue<string>());
        Assert.Contains("deployed", await helm.OkAsync("status", "demo"));

        await helm.OkAsync("uninstall", "demo", "--wait", "--timeout", "30s");
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("/apis/apps/v1/namespaces/default/deployments/demo-web")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("/api/v1/namespaces/default/secrets/sh.helm.release.v1.demo.v1")).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")).Status);
    }

    [RealClientFact("helm")]
    public async Task Upgrading_with_unchanged_values_writes_nothing_but_the_release_record()
    {
        using var helm = new RealClient("helm", Server);
        await helm.OkAsync("install", "calm", Chart, "--wait", "--timeout", "30s");
        var before = Rv((await GetAsync("/apis/apps/v1/namespaces/default/deployments/calm-web")).Json!);
        await helm.OkAsync("upgrade", "calm", Chart, "--wait", "--timeout", "30s");
        var after = Rv((await GetAsync("/apis/apps/v1/namespaces/default/deployments/calm-web")).Json!);
        Assert.Equal(before, after);
    }
}
