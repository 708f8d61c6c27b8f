using System.Text.Json.Nodes;
using Drover.DevCluster.Defaulting;

namespace Drover.DevCluster.Tests.Server;

/// <summary>
/// The fields a real API server fills in on the kinds Drover creates, which users read in
/// <c>kubectl get -o yaml</c> and <c>describe</c> (upstream SetDefaults_* and the registries).
/// </summary>
public class BuiltinDefaultingTests : ClusterTestBase
{
    private static JsonNode? At(JsonNode node, string path)
    {
        JsonNode? current = node;
        foreach (var segment in path.Split('.'))
        {
            current = current switch
            {
                JsonArray array when int.TryParse(segment, out var index) => array[index],
                JsonObject obj => obj[segment],
                _ => null,
            };
        }

        return current;
    }

    private static string Text(JsonNode node, string path) => At(node, path)?.ToJsonString() ?? "<missing>";

    [Fact]
    public async Task A_deployment_gets_its_strategy_history_deadline_and_pod_template_defaults()
    {
        var created = await CreateOkAsync("/apis/apps/v1/namespaces/default/deployments", Deployment("web", image: "nginx"));

        Assert.Equal("""{"rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"},"type":"RollingUpdate"}""", NormalizedStrategy(created));
        Assert.Equal("10", Text(created, "spec.revisionHistoryLimit"));
        Assert.Equal("600", Text(created, "spec.progressDeadlineSeconds"));
        var pod = At(created, "spec.template.spec")!;
        Assert.Equal("\"Always\"", Text(pod, "restartPolicy"));
        Assert.Equal("30", Text(pod, "terminationGracePeriodSeconds"));
        Assert.Equal("\"ClusterFirst\"", Text(pod, "dnsPolicy"));
        Assert.Equal("\"default-scheduler\"", Text(pod, "schedulerName"));
        Assert.Equal("{}", Text(pod, "securityContext"));
        Assert.Equal("\"/dev/termination-log\"", Text(pod, "containers.0.terminationMessagePath"));
        Assert.Equal("\"File\"", Text(pod, "containers.0.terminationMessagePolicy"));
        Assert.Equal("\"Always\"", Text(pod, "containers.0.imagePullPolicy"));

        // Pod-only defaults stay out of templates.
        Assert.Null(At(pod, "enableServiceLinks"));
    }

    [Fact]
    public async Task A_recreate_deployment_gets_no_rolling_update_and_explicit_values_are_kept()
    {
        var body = Deployment("once");
        body["spec"]!["strategy"] = new JsonObject { ["type"] = "Recreate" };
        body["spec"]!["progressDeadlineSeconds"] = 120;
        body["spec"]!["template"]!["spec"]!["terminationGracePeriodSeconds"] = 0;
        var created = await CreateOkAsync("/apis/apps/v1/namespaces/default/deployments", body);

        Assert.Equal("""{"type":"Recreate"}""", Text(created, "spec.strategy"));
        Assert.Equal("120", Text(created, "spec.progressDeadlineSeconds"));
        Assert.Equal("0", Text(created, "spec.template.spec.terminationGracePeriodSeconds"));
        Assert.Equal("10", Text(created, "spec.revisionHistoryLimit"));
        Assert.Equal("\"ClusterFirst\"", Text(created, "spec.template.spec.dnsPolicy"));
    }

    [Fact]
    public async Task Defaults_apply_on_update_too()
    {
        var created = await CreateOkAsync("/apis/apps/v1/namespaces/default/deployments", Deployment("web"));
        var body = Deployment("web", image: "nginx:2");
        body["metadata"]!["resourceVersion"] = Rv(created);

        var updated = await PutAsync("/apis/apps/v1/namespaces/default/deployments/web", body);

        Assert.Equal("600", Text(updated.Json!, "spec.progressDeadlineSeconds"));
        Assert.Equal("\"IfNotPresent\"", Text(updated.Json!, "spec.template.spec.containers.0.imagePullPolicy"));
    }

    [Fact]
    public async Task A_cronjob_gets_its_policy_history_limits_and_pod_defaults_but_no_job_defaults()
    {
        var created = await CreateOkAsync("/apis/batch/v1/namespaces/default/cronjobs", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "nightly" },
            ["spec"] = new JsonObject
            {
                ["schedule"] = "0 3 * * *",
                ["jobTemplate"] = new JsonObject
                {
                    ["spec"] = new JsonObject { ["template"] = new JsonObject { ["spec"] = PodSpec("OnFailure") } },
                },
            },
        });

        Assert.Equal("\"Allow\"", Text(created, "spec.concurrencyPolicy"));
        Assert.Equal("false", Text(created, "spec.suspend"));
        Assert.Equal("3", Text(created, "spec.successfulJobsHistoryLimit"));
        Assert.Equal("1", Text(created, "spec.failedJobsHistoryLimit"));
        Assert.Equal("\"ClusterFirst\"", Text(created, "spec.jobTemplate.spec.template.spec.dnsPolicy"));
        Assert.Equal("\"OnFailure\"", Text(created, "spec.jobTemplate.spec.template.spec.restartPolicy"));
        Assert.Null(At(created, "spec.jobTemplate.spec.backoffLimit"));
    }

    [Fact]
    public async Task A_job_gets_its_defaults_and_a_selector_generated_from_its_uid()
    {
        var created = await CreateOkAsync("/apis/batch/v1/namespaces/default/jobs", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "run1" },
            ["spec"] = new JsonObject { ["template"] = new JsonObject { ["spec"] = PodSpec("Never") } },
        });

        var uid = created["metadata"]!["uid"]!.GetValue<string>();
        var spec = created["spec"]!;
        Assert.Equal("1", Text(spec, "completions"));
        Assert.Equal("1", Text(spec, "parallelism"));
        Assert.Equal("6", Text(spec, "backoffLimit"));
        Assert.Equal("\"NonIndexed\"", Text(spec, "completionMode"));
        Assert.Equal("false", Text(spec, "suspend"));
        Assert.Equal("false", Text(spec, "manualSelector"));
        Assert.Equal("\"TerminatingOrFailed\"", Text(spec, "podReplacementPolicy"));
        Assert.Equal($$$"""{"matchLabels":{"batch.kubernetes.io/controller-uid":"{{{uid}}}"}}""", Text(spec, "selector"));
        var labels = At(spec, "template.metadata.labels")!.AsObject();
        Assert.Equal("run1", labels["job-name"]!.GetValue<string>());
        Assert.Equal("run1", labels["batch.kubernetes.io/job-name"]!.GetValue<string>());
        Assert.Equal(uid, labels["controller-uid"]!.GetValue<string>());
        Assert.Equal(uid, labels["batch.kubernetes.io/controller-uid"]!.GetValue<string>());

        // A job without labels takes its pods' labels, as upstream's defaulting does.
        Assert.Equal(labels.ToJsonString(), created["metadata"]!["labels"]!.ToJsonString());
    }

    [Fact]
    public async Task A_pod_gets_service_links_requests_from_limits_and_probe_defaults()
    {
        var spec = PodSpec("Never");
        var container = spec["containers"]![0]!.AsObject();
        container["resources"] = new JsonObject { ["limits"] = new JsonObject { ["cpu"] = "500m", ["memory"] = "64Mi" } };
        container["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 8080 });
        container["livenessProbe"] = new JsonObject { ["httpGet"] = new JsonObject { ["port"] = 8080 } };
        container["env"] = new JsonArray(new JsonObject
        {
            ["name"] = "POD",
            ["valueFrom"] = new JsonObject { ["fieldRef"] = new JsonObject { ["fieldPath"] = "metadata.name" } },
        });
        spec["volumes"] = new JsonArray(
            new JsonObject { ["name"] = "scratch" },
            new JsonObject { ["name"] = "config", ["configMap"] = new JsonObject { ["name"] = "settings" } });

        var created = await CreateOkAsync("/api/v1/namespaces/default/pods", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "tool" }, ["spec"] = spec });

        var pod = created["spec"]!;
        Assert.Equal("true", Text(pod, "enableServiceLinks"));
        Assert.Equal("""{"cpu":"500m","memory":"64Mi"}""", Text(pod, "containers.0.resources.requests"));
        Assert.Equal("\"TCP\"", Text(pod, "containers.0.ports.0.protocol"));
        Assert.Equal("""{"httpGet":{"port":8080,"path":"/","scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3}""",
            Text(pod, "containers.0.livenessProbe"));
        Assert.Equal("\"v1\"", Text(pod, "containers.0.env.0.valueFrom.fieldRef.apiVersion"));
        Assert.Equal("""{"name":"scratch","emptyDir":{}}""", Text(pod, "volumes.0"));
        Assert.Equal("420", Text(pod, "volumes.1.configMap.defaultMode"));
    }

    [Fact]
    public async Task Secrets_claims_network_policies_and_bindings_get_their_defaults()
    {
        var secret = await CreateOkAsync("/api/v1/namespaces/default/secrets", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "keys" } });
        Assert.Equal("\"Opaque\"", Text(secret, "type"));

        var claim = await CreateOkAsync("/api/v1/namespaces/default/persistentvolumeclaims", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "data" },
            ["spec"] = JsonNode.Parse("""{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}"""),
        });
        Assert.Equal("\"Filesystem\"", Text(claim, "spec.volumeMode"));
        Assert.Equal("""{"phase":"Pending"}""", Text(claim, "status"));

        var ingressOnly = await CreateOkAsync("/apis/networking.k8s.io/v1/namespaces/default/networkpolicies", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "in" },
            ["spec"] = JsonNode.Parse("""{"podSelector":{},"ingress":[{"ports":[{"port":80}]}]}"""),
        });
        Assert.Equal("""["Ingress"]""", Text(ingressOnly, "spec.policyTypes"));
        Assert.Equal("\"TCP\"", Text(ingressOnly, "spec.ingress.0.ports.0.protocol"));
        var withEgress = await CreateOkAsync("/apis/networking.k8s.io/v1/namespaces/default/networkpolicies", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "out" },
            ["spec"] = JsonNode.Parse("""{"podSelector":{},"egress":[{"to":[{"ipBlock":{"cidr":"0.0.0.0/0"}}]}]}"""),
        });
        Assert.Equal("""["Ingress","Egress"]""", Text(withEgress, "spec.policyTypes"));

        var binding = await CreateOkAsync("/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "readers" },
            ["roleRef"] = new JsonObject { ["kind"] = "Role", ["name"] = "reader" },
            ["subjects"] = JsonNode.Parse("""[{"kind":"User","name":"alice"},{"kind":"ServiceAccount","name":"sa","namespace":"default"}]"""),
        });
        Assert.Equal("\"rbac.authorization.k8s.io\"", Text(binding, "roleRef.apiGroup"));
        Assert.Equal("\"rbac.authorization.k8s.io\"", Text(binding, "subjects.0.apiGroup"));
        Assert.Null(At(binding, "subjects.1.apiGroup"));
    }

    [Theory]
    [InlineData("nginx", true)]
    [InlineData("nginx:latest", true)]
    [InlineData("nginx:1.27", false)]
    [InlineData("ghcr.io/acme/agent", true)]
    [InlineData("ghcr.io/acme/agent:v2", false)]
    [InlineData("localhost:5000/agent", true)]
    [InlineData("localhost:5000/agent:dev", false)]
    [InlineData("nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31", false)]
    [InlineData("nginx:latest@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31", true)]
    [InlineData("", false)]
    [InlineData("Not/Valid", false)]
    public void Image_pull_policy_is_Always_only_for_the_latest_tag(string image, bool latest)
    {
        Assert.Equal(latest, PodSpecDefaults.HasLatestTag(image));
    }

    private static JsonObject PodSpec(string restartPolicy) => new()
    {
        ["restartPolicy"] = restartPolicy,
        ["containers"] = new JsonArray(new JsonObject { ["name"] = "main", ["image"] = "busybox:1.36", ["command"] = new JsonArray("true") }),
    };

    /// <summary>The strategy with its keys sorted, so the assertion does not depend on which default was added first.</summary>
    private static string NormalizedStrategy(JsonObject deployment)
    {
        var strategy = At(deployment, "spec.strategy")!.AsObject();
        var rolling = strategy["rollingUpdate"]!.AsObject();
        return new JsonObject
        {
            ["rollingUpdate"] = new JsonObject { ["maxUnavailable"] = rolling["maxUnavailable"]!.DeepClone(), ["maxSurge"] = rolling["maxSurge"]!.DeepClone() },
            ["type"] = strategy["type"]!.DeepClone(),
        }.ToJsonString();
    }
}
