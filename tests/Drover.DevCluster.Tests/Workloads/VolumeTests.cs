using System.Net;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Tests.Workloads;

/// <summary>PersistentVolumeClaims under the simulated default provisioner: bound at once, released with their claim.</summary>
public class VolumeTests : WorkloadTestBase
{
    private const string Claims = "/api/v1/namespaces/default/persistentvolumeclaims";
    private const string Volumes = "/api/v1/persistentvolumes";

    private static JsonObject Claim(string name, string? storageClass = null)
    {
        var spec = new JsonObject
        {
            ["accessModes"] = new JsonArray("ReadWriteOnce"),
            ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["storage"] = "2Gi" } },
        };
        if (storageClass is not null)
        {
            spec["storageClassName"] = storageClass;
        }

        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "PersistentVolumeClaim", ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = spec };
    }

    [Fact]
    public async Task A_claim_is_bound_to_a_provisioned_volume_that_goes_when_the_claim_goes()
    {
        var claim = await CreateOkAsync(Claims, Claim("workspace"));
        var uid = Text(claim, "metadata", "uid");
        await EventuallyAsync(async () => Text(await GetOkAsync($"{Claims}/workspace"), "status", "phase") == "Bound", "the claim to bind");

        var bound = await GetOkAsync($"{Claims}/workspace");
        Assert.Equal($"pvc-{uid}", Text(bound, "spec", "volumeName"));
        Assert.Equal("2Gi", Text(bound, "status", "capacity", "storage"));
        Assert.Equal(["ReadWriteOnce"], bound["status"]!["accessModes"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal("yes", Text(bound, "metadata", "annotations", "pv.kubernetes.io/bind-completed"));

        var volume = await GetOkAsync($"{Volumes}/pvc-{uid}");
        Assert.Equal("Bound", Text(volume, "status", "phase"));
        Assert.Equal("Delete", Text(volume, "spec", "persistentVolumeReclaimPolicy"));
        Assert.Equal("2Gi", Text(volume, "spec", "capacity", "storage"));
        Assert.Equal(("workspace", "default", uid), (Text(volume, "spec", "claimRef", "name"), Text(volume, "spec", "claimRef", "namespace"), Text(volume, "spec", "claimRef", "uid")));

        Assert.Equal(HttpStatusCode.OK, (await DeleteAsync($"{Claims}/workspace")).Status);
        await EventuallyAsync(async () => (await GetAsync($"{Volumes}/pvc-{uid}")).Status == HttpStatusCode.NotFound, "the volume to be deleted with its claim");
    }

    [Fact]
    public async Task A_retained_volume_is_released_when_its_claim_goes()
    {
        var uid = Text(await CreateOkAsync(Claims, Claim("keep")), "metadata", "uid");
        await EventuallyAsync(async () => (await GetAsync($"{Volumes}/pvc-{uid}")).Status == HttpStatusCode.OK, "the volume");
        await PatchAsync($"{Volumes}/pvc-{uid}", JsonNode.Parse("""{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}""")!);

        await DeleteAsync($"{Claims}/keep");
        await EventuallyAsync(async () => Text(await GetOkAsync($"{Volumes}/pvc-{uid}"), "status", "phase") == "Released", "the volume to be released");
    }

    [Fact]
    public async Task A_claim_for_static_binding_stays_pending()
    {
        await CreateOkAsync(Claims, Claim("static", storageClass: string.Empty));
        await EventuallyAsync(async () => Text(await GetOkAsync($"{Claims}/static"), "status", "phase") == "Pending", "the claim to be pending");
        Assert.Empty((await GetOkAsync(Volumes))["items"]!.AsArray());
    }
}
