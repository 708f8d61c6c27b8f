using System.Text.Json;
using System.Text.Json.Nodes;
using Drover.DevCluster.Tests.Server;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Drover.DevCluster.Tests.Clients;

/// <summary>The official C# client, unmodified, against the dev cluster (HTTP/2 requests, its own JSON, its watcher).</summary>
public class KubernetesClientTests : ClusterTestBase
{
    private Kubernetes Client()
    {
        var path = Path.Combine(Path.GetTempPath(), $"drover-kc-{Guid.NewGuid():N}");
        try
        {
            Server.WriteKubeconfig(path);
            return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static V1Deployment TypedDeployment(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = name } },
        Spec = new V1DeploymentSpec
        {
            Replicas = 2,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "nginx:1" }] },
            },
        },
    };

    [Fact]
    public async Task Typed_create_get_list_and_delete_work()
    {
        using var client = Client();
        var created = await client.AppsV1.CreateNamespacedDeploymentAsync(TypedDeployment("typed"), "default");
        Assert.Equal(1, created.Metadata.Generation);
        Assert.NotNull(created.Metadata.Uid);

        var read = await client.AppsV1.ReadNamespacedDeploymentAsync("typed", "default");
        Assert.Equal(created.Metadata.ResourceVersion, read.Metadata.ResourceVersion);
        var list = await client.AppsV1.ListNamespacedDeploymentAsync("default", labelSelector: "app=typed");
        Assert.Single(list.Items);

        var status = await client.AppsV1.DeleteNamespacedDeploymentAsync("typed", "default");
        Assert.Equal("Success", status.Status);
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => client.AppsV1.ReadNamespacedDeploymentAsync("typed", "default"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.Response.StatusCode);
    }

    [Fact]
    public async Task Watches_stream_typed_events_from_a_list_resourceVersion()
    {
        using var client = Client();
        var list = await client.AppsV1.ListNamespacedDeploymentAsync("default");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var events = new List<(WatchEventType, string)>();
        var watching = Task.Run(async () =>
        {
            var stream = client.AppsV1.WatchListNamespacedDeploymentAsync("default", resourceVersion: list.Metadata.ResourceVersion, allowWatchBookmarks: true, cancellationToken: stop.Token);
            await foreach (var (type, item) in stream)
            {
                if (type == WatchEventType.Bookmark)
                {
                    continue;
                }

                events.Add((type, item.Metadata.Name));
                if (type == WatchEventType.Deleted)
                {
                    return;
                }
            }
        });

        await EventuallyAsync(() => Task.FromResult(Server.OpenWatches == 1), "the client's watch to open");
        await client.AppsV1.CreateNamespacedDeploymentAsync(TypedDeployment("watched"), "default");
        await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":3}}""", V1Patch.PatchType.MergePatch), "watched", "default");
        await client.AppsV1.DeleteNamespacedDeploymentAsync("watched", "default");
        await watching;
        Assert.Equal([(WatchEventType.Added, "watched"), (WatchEventType.Modified, "watched"), (WatchEventType.Deleted, "watched")], events);
    }

    [Fact]
    public async Task Merge_and_apply_patches_work_and_a_repeated_apply_is_a_no_op()
    {
        using var client = Client();
        await client.AppsV1.CreateNamespacedDeploymentAsync(TypedDeployment("patched"), "default");
        var merged = await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":4}}""", V1Patch.PatchType.MergePatch), "patched", "default");
        Assert.Equal(4, merged.Spec.Replicas);

        var desired = TypedDeployment("applied");
        desired.ApiVersion = "apps/v1";
        desired.Kind = "Deployment";
        var body = new V1Patch(KubernetesJson.Serialize(desired), V1Patch.PatchType.ApplyPatch);
        var first = await client.AppsV1.PatchNamespacedDeploymentAsync(body, "applied", "default", fieldManager: "drover", force: true);
        var second = await client.AppsV1.PatchNamespacedDeploymentAsync(body, "applied", "default", fieldManager: "drover", force: true);
        Assert.Equal(first.Metadata.ResourceVersion, second.Metadata.ResourceVersion);
        Assert.Contains(second.Metadata.ManagedFields, m => m.Manager == "drover" && m.Operation == "Apply");

        var scale = await client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("""{"spec":{"replicas":6}}""", V1Patch.PatchType.MergePatch), "applied", "default");
        Assert.Equal(6, scale.Spec.Replicas);
    }

    [Fact]
    public async Task Status_patches_go_through_the_status_subresource()
    {
        using var client = Client();
        await client.AppsV1.CreateNamespacedDeploymentAsync(TypedDeployment("st"), "default");
        var patched = await client.AppsV1.PatchNamespacedDeploymentStatusAsync(new V1Patch("""{"status":{"observedGeneration":1,"readyReplicas":2}}""", V1Patch.PatchType.MergePatch), "st", "default");
        Assert.Equal(2, patched.Status.ReadyReplicas);
        Assert.Equal(1, Server.Requests.Count("patch", "deployments/status"));
    }

    [Fact]
    public async Task Custom_objects_can_be_created_listed_and_patched()
    {
        using var client = Client();
        var crd = KubernetesJson.Deserialize<V1CustomResourceDefinition>(WidgetCrd.Definition().ToJsonString());
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        await EventuallyAsync(async () => (await GetAsync("/apis/example.com/v1")).Status == System.Net.HttpStatusCode.OK, "the Widget kind to be served");

        var widget = WidgetCrd.Widget("cw");
        var created = (JsonElement)await client.CustomObjects.CreateNamespacedCustomObjectAsync(widget, "example.com", "v1", "default", "widgets");
        Assert.Equal("blue", created.GetProperty("spec").GetProperty("color").GetString());

        var list = (JsonElement)await client.CustomObjects.ListNamespacedCustomObjectAsync("example.com", "v1", "default", "widgets");
        Assert.Equal(1, list.GetProperty("items").GetArrayLength());

        var patched = (JsonElement)await client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("""{"spec":{"size":"large"}}""", V1Patch.PatchType.MergePatch), "example.com", "v1", "default", "widgets", "cw");
        Assert.Equal("large", patched.GetProperty("spec").GetProperty("size").GetString());
        Assert.Equal(2, patched.GetProperty("metadata").GetProperty("generation").GetInt32());

        var status = (JsonElement)await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch("""{"status":{"observedGeneration":2}}""", V1Patch.PatchType.MergePatch), "example.com", "v1", "default", "widgets", "cw");
        Assert.Equal(2, status.GetProperty("status").GetProperty("observedGeneration").GetInt32());
    }
}
