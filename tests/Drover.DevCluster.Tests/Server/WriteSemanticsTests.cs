using System.Net;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Tests.Server;

public class WriteSemanticsTests : ClusterTestBase
{
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";
    private const string Deployments = "/apis/apps/v1/namespaces/default/deployments";

    [Fact]
    public async Task Create_sets_system_fields_and_answers_201()
    {
        var created = await CreateOkAsync(ConfigMaps, ConfigMap("one"));
        var metadata = created["metadata"]!;
        Assert.True(Guid.TryParse(metadata["uid"]!.GetValue<string>(), out _));
        Assert.Matches("^[0-9]+$", Rv(created));
        Assert.EndsWith("Z", metadata["creationTimestamp"]!.GetValue<string>());
        Assert.Equal("default", metadata["namespace"]!.GetValue<string>());
        Assert.Null(metadata["generation"]);

        var deployment = await CreateOkAsync(Deployments, Deployment("web"));
        Assert.Equal(1, Generation(deployment));
    }

    [Fact]
    public async Task Resource_versions_come_from_one_global_increasing_counter()
    {
        var a = long.Parse(Rv(await CreateOkAsync(ConfigMaps, ConfigMap("a"))));
        var b = long.Parse(Rv(await CreateOkAsync("/api/v1/namespaces/default/secrets", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "s" } })));
        var c = long.Parse(Rv(await CreateOkAsync(Deployments, Deployment("d"))));
        Assert.True(a < b && b < c);
    }

    [Fact]
    public async Task GenerateName_appends_five_random_characters()
    {
        var body = ConfigMap("ignored");
        body["metadata"] = new JsonObject { ["generateName"] = "job-" };
        var created = await CreateOkAsync(ConfigMaps, body);
        Assert.Matches("^job-[bcdfghjklmnpqrstvwxz2456789]{5}$", created["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Creating_an_existing_name_is_409_AlreadyExists()
    {
        await CreateOkAsync(ConfigMaps, ConfigMap("dup"));
        var reply = await PostAsync(ConfigMaps, ConfigMap("dup"));
        Assert.Equal(HttpStatusCode.Conflict, reply.Status);
        Assert.Equal("AlreadyExists", reply.Reason);
        Assert.Equal("configmaps \"dup\" already exists", reply.Message);
        Assert.Equal("configmaps", reply.Json!["details"]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task Creating_in_a_missing_namespace_is_404_and_a_mismatched_namespace_400()
    {
        var missing = await PostAsync("/api/v1/namespaces/nowhere/configmaps", ConfigMap("x"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("namespaces \"nowhere\" not found", missing.Message);

        var body = ConfigMap("x");
        body["metadata"]!["namespace"] = "kube-system";
        var mismatch = await PostAsync(ConfigMaps, body);
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.Status);
        Assert.Equal("BadRequest", mismatch.Reason);
    }

    [Fact]
    public async Task Get_of_a_missing_object_is_a_NotFound_Status_naming_the_resource()
    {
        var reply = await GetAsync(Deployments + "/ghost");
        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
        Assert.Equal("Status", reply.Json!["kind"]!.GetValue<string>());
        Assert.Equal("Failure", reply.Json["status"]!.GetValue<string>());
        Assert.Equal("deployments.apps \"ghost\" not found", reply.Message);
        Assert.Equal(404, reply.Json["code"]!.GetValue<int>());
        Assert.Equal("apps", reply.Json["details"]!["group"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_with_a_stale_resourceVersion_is_409_with_the_conflict_message()
    {
        var created = await CreateOkAsync(ConfigMaps, ConfigMap("c"));
        var first = (JsonObject)created.DeepClone();
        first["data"]!["key"] = "b";
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(ConfigMaps + "/c", first)).Status);

        var stale = (JsonObject)created.DeepClone();
        stale["data"]!["key"] = "c";
        var reply = await PutAsync(ConfigMaps + "/c", stale);
        Assert.Equal(HttpStatusCode.Conflict, reply.Status);
        Assert.Equal("Conflict", reply.Reason);
        Assert.Equal("Operation cannot be fulfilled on configmaps \"c\": the object has been modified; please apply your changes to the latest version and try again", reply.Message);
    }

    [Fact]
    public async Task Update_keeps_uid_and_creationTimestamp_and_ignores_client_generation()
    {
        var created = await CreateOkAsync(Deployments, Deployment("keep"));
        var next = (JsonObject)created.DeepClone();
        next["metadata"]!["uid"] = Guid.NewGuid().ToString();
        next["metadata"]!["generation"] = 42;
        next["metadata"]!["labels"] = new JsonObject { ["x"] = "y" };
        var reply = await PutAsync(Deployments + "/keep", next);
        Assert.Equal(created["metadata"]!["uid"]!.GetValue<string>(), reply.Json!["metadata"]!["uid"]!.GetValue<string>());
        Assert.Equal(1, Generation(reply.Json));
    }

    [Fact]
    public async Task A_write_that_changes_nothing_keeps_the_resourceVersion_and_emits_no_event()
    {
        var created = await CreateOkAsync(ConfigMaps, ConfigMap("same", "v"));
        using var watch = await WatchAsync($"{ConfigMaps}?watch=true&resourceVersion={Rv(created)}");
        var put = await PutAsync(ConfigMaps + "/same", created);
        Assert.Equal(Rv(created), Rv(put.Json!));
        var patch = await PatchAsync(ConfigMaps + "/same", new JsonObject { ["data"] = new JsonObject { ["key"] = "v" } });
        Assert.Equal(Rv(created), Rv(patch.Json!));
        Assert.True(await watch.QuietAsync());

        var changed = await PatchAsync(ConfigMaps + "/same", new JsonObject { ["data"] = new JsonObject { ["key"] = "w" } });
        Assert.NotEqual(Rv(created), Rv(changed.Json!));
        var change = await watch.NextAsync();
        Assert.Equal("MODIFIED", change!.Value.Type);
    }

    [Fact]
    public async Task Deployment_generation_moves_with_spec_and_annotations_but_not_labels()
    {
        await CreateOkAsync(Deployments, Deployment("gen"));
        var labels = await PatchAsync(Deployments + "/gen", new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["a"] = "b" } } });
        Assert.Equal(1, Generation(labels.Json!));
        var spec = await PatchAsync(Deployments + "/gen", new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 4 } });
        Assert.Equal(2, Generation(spec.Json!));
        var annotations = await PatchAsync(Deployments + "/gen", new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { ["a"] = "b" } } });
        Assert.Equal(3, Generation(annotations.Json!));
    }

    [Fact]
    public async Task Status_is_isolated_between_the_main_endpoint_and_the_status_subresource()
    {
        await CreateOkAsync(Deployments, Deployment("iso"));
        var viaMain = await PatchAsync(Deployments + "/iso", new JsonObject { ["status"] = new JsonObject { ["replicas"] = 9 } });
        Assert.Null(viaMain.Json!["status"]?["replicas"]);

        var viaStatus = await PatchAsync(Deployments + "/iso/status", new JsonObject
        {
            ["spec"] = new JsonObject { ["replicas"] = 7 },
            ["status"] = new JsonObject { ["replicas"] = 3 },
        });
        Assert.Equal(HttpStatusCode.OK, viaStatus.Status);
        Assert.Equal(3, viaStatus.Json!["status"]!["replicas"]!.GetValue<int>());
        Assert.Equal(1, viaStatus.Json["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(1, Generation(viaStatus.Json));
        Assert.Equal(1, Server.Requests.Count("patch", "deployments/status"));
    }

    [Fact]
    public async Task Json_patch_and_merge_patch_both_apply()
    {
        await CreateOkAsync(ConfigMaps, ConfigMap("p", "1"));
        var json = await PatchAsync(ConfigMaps + "/p", JsonNode.Parse("""[{"op":"add","path":"/data/extra","value":"x"},{"op":"remove","path":"/data/key"}]""")!, "application/json-patch+json");
        Assert.Equal(HttpStatusCode.OK, json.Status);
        Assert.Equal("x", json.Json!["data"]!["extra"]!.GetValue<string>());
        Assert.Null(json.Json["data"]!["key"]);

        var merge = await PatchAsync(ConfigMaps + "/p", JsonNode.Parse("""{"data":{"extra":null,"more":"y"}}""")!);
        Assert.Null(merge.Json!["data"]!["extra"]);
        Assert.Equal("y", merge.Json["data"]!["more"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_patch_carrying_a_stale_resourceVersion_conflicts()
    {
        var created = await CreateOkAsync(ConfigMaps, ConfigMap("lock"));
        await PatchAsync(ConfigMaps + "/lock", new JsonObject { ["data"] = new JsonObject { ["key"] = "moved" } });
        var reply = await PatchAsync(ConfigMaps + "/lock", new JsonObject
        {
            ["metadata"] = new JsonObject { ["resourceVersion"] = Rv(created) },
            ["data"] = new JsonObject { ["key"] = "late" },
        });
        Assert.Equal(HttpStatusCode.Conflict, reply.Status);
    }

    [Fact]
    public async Task Server_side_apply_needs_a_field_manager_and_creates_with_201()
    {
        var body = ConfigMap("applied");
        var missing = await PatchAsync(ConfigMaps + "/applied", body, "application/apply-patch+yaml");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing.Status);
        Assert.Contains("fieldManager", missing.Message);

        var created = await PatchAsync(ConfigMaps + "/applied?fieldManager=tester", body, "application/apply-patch+yaml");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var again = await PatchAsync(ConfigMaps + "/applied?fieldManager=tester", body, "application/apply-patch+yaml");
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(Rv(created.Json!), Rv(again.Json!));
    }

    [Fact]
    public async Task Apply_accepts_a_yaml_body()
    {
        var yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yaml\ndata:\n  count: \"3\"\n";
        using var request = new HttpRequestMessage(HttpMethod.Patch, ConfigMaps + "/yaml?fieldManager=y")
        {
            Content = new StringContent(yaml, System.Text.Encoding.UTF8, "application/apply-patch+yaml"),
        };
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var stored = await GetAsync(ConfigMaps + "/yaml");
        Assert.Equal("3", stored.Json!["data"]!["count"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deployment_scale_subresource_reads_and_writes_replicas()
    {
        await CreateOkAsync(Deployments, Deployment("sc", replicas: 2));
        var scale = await GetAsync(Deployments + "/sc/scale");
        Assert.Equal("Scale", scale.Json!["kind"]!.GetValue<string>());
        Assert.Equal("autoscaling/v1", scale.Json["apiVersion"]!.GetValue<string>());
        Assert.Equal(2, scale.Json["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("app=sc", scale.Json["status"]!["selector"]!.GetValue<string>());

        var patched = await PatchAsync(Deployments + "/sc/scale", new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 5 } });
        Assert.Equal(5, patched.Json!["spec"]!["replicas"]!.GetValue<int>());
        var deployment = await GetAsync(Deployments + "/sc");
        Assert.Equal(5, deployment.Json!["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(2, Generation(deployment.Json));
        Assert.Equal(1, Server.Requests.Count("patch", "deployments/scale"));
    }

    [Fact]
    public async Task Secrets_accept_protobuf_bodies_as_helm_sends_them()
    {
        var secretMessage = new Protobuf.ProtoWriter()
            .Message(1, new Protobuf.ProtoWriter().String(1, "sh.helm.release.v1.demo.v1").String(3, "default"))
            .MapEntry(2, "release", "payload"u8.ToArray())
            .String(3, "helm.sh/release.v1");
        var secret = Protobuf.ProtoWriter.Envelope("v1", "Secret", secretMessage);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/namespaces/default/secrets")
        {
            Content = new ByteArrayContent(secret),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/vnd.kubernetes.protobuf");
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var stored = await GetAsync("/api/v1/namespaces/default/secrets/sh.helm.release.v1.demo.v1");
        Assert.Equal(Convert.ToBase64String("payload"u8.ToArray()), stored.Json!["data"]!["release"]!.GetValue<string>());
    }

    [Fact]
    public async Task Strategic_merge_patch_on_a_builtin_merges_containers_by_name()
    {
        await CreateOkAsync(Deployments, Deployment("smp"));
        var patch = JsonNode.Parse("""{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2025-01-02T15:04:05+01:00"}}}}}""")!;
        var reply = await PatchAsync(Deployments + "/smp?fieldManager=kubectl-rollout", patch, "application/strategic-merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(2, Generation(reply.Json!));
        Assert.Equal("nginx:1", reply.Json!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_patch_content_types_are_415()
    {
        await CreateOkAsync(ConfigMaps, ConfigMap("ct"));
        var reply = await PatchAsync(ConfigMaps + "/ct", new JsonObject(), "text/plain");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, reply.Status);
        Assert.Equal("UnsupportedMediaType", reply.Reason);
    }
}
