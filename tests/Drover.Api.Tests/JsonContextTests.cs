using System.Text.Json;
using System.Text.Json.Nodes;
using Drover.Api.V1Alpha1;
using k8s.Models;

namespace Drover.Api.Tests;

public class JsonContextTests
{
    [Fact]
    public void An_object_written_by_a_field_manager_survives_a_deep_copy_with_its_managed_fields()
    {
        // What the API server returns for anything applied with kubectl or helm.
        const string json = """
            {"apiVersion":"drover.dev/v1alpha1","kind":"ModelProvider",
             "metadata":{"name":"openai","namespace":"default","managedFields":[
               {"manager":"kubectl-client-side-apply","operation":"Update","apiVersion":"drover.dev/v1alpha1",
                "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:type":{}}}}]},
             "spec":{"type":"OpenAI","apiKey":{"secretKeyRef":{"name":"openai","key":"api-key"}}}}
            """;
        var provider = JsonSerializer.Deserialize(json, DroverJsonContext.Default.ModelProvider)!;

        var defaulted = Defaults.Apply(provider);

        var written = JsonNode.Parse(JsonSerializer.Serialize(defaulted, DroverJsonContext.Default.ModelProvider))!;
        Assert.Equal("""{"f:spec":{"f:type":{}}}""", written["metadata"]!["managedFields"]![0]!["fieldsV1"]!.ToJsonString());
        Assert.Equal("https://api.openai.com/v1", defaulted.Spec.Endpoint);
    }

    [Fact]
    public void Objects_serialise_with_kubernetes_names_and_without_nulls()
    {
        var agent = new Agent
        {
            Metadata = new V1ObjectMeta { Name = "echo", NamespaceProperty = "default" },
            Spec = new AgentSpec
            {
                Image = "img",
                ImagePullPolicy = ImagePullPolicies.IfNotPresent,
                Model = new AgentModel { ProviderRef = new ProviderReference { Name = "openai" } },
            },
        };
        var json = JsonSerializer.SerializeToNode(agent, DroverJsonContext.Default.Agent)!.AsObject();

        Assert.Equal("drover.dev/v1alpha1", json["apiVersion"]!.GetValue<string>());
        Assert.Equal("Agent", json["kind"]!.GetValue<string>());
        Assert.Equal("default", json["metadata"]!["namespace"]!.GetValue<string>());
        Assert.Equal("IfNotPresent", json["spec"]!["imagePullPolicy"]!.GetValue<string>());
        Assert.Equal("openai", json["spec"]!["model"]!["providerRef"]!["name"]!.GetValue<string>());
        Assert.False(json.ContainsKey("status"));
        Assert.False(json["spec"]!.AsObject().ContainsKey("replicas"));
        Assert.False(json["spec"]!["model"]!["providerRef"]!.AsObject().ContainsKey("namespace"));
    }

    [Fact]
    public void Quantities_int_or_strings_and_free_form_config_survive()
    {
        const string json = """
            {"apiVersion":"drover.dev/v1alpha1","kind":"Agent","metadata":{"name":"a"},
             "spec":{"image":"i","model":{"providerRef":{"name":"p"}},
                     "resources":{"limits":{"memory":"64Mi","cpu":"500m"}},
                     "storage":{"size":"1Gi"},
                     "env":[{"name":"PORT","valueFrom":{"resourceFieldRef":{"resource":"limits.cpu","divisor":"1m"}}}],
                     "placement":{"tolerations":[{"key":"arch","operator":"Equal","value":"arm64","effect":"NoSchedule"}]},
                     "config":{"nested":{"list":[1,"two",true]},"n":1.5}}}
            """;
        var agent = JsonSerializer.Deserialize(json, DroverJsonContext.Default.Agent)!;
        Assert.Equal(64L * 1024 * 1024, agent.Spec.Resources!.Limits["memory"].ToInt64());
        Assert.Equal("1Gi", agent.Spec.Storage!.Size!.ToString());
        Assert.Equal("two", agent.Spec.Config!["nested"]!["list"]![1]!.GetValue<string>());

        var again = JsonSerializer.SerializeToNode(agent, DroverJsonContext.Default.Agent)!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), again), again.ToJsonString());
    }

    [Fact]
    public void Timestamps_are_written_as_the_api_server_writes_them()
    {
        var status = new ScheduleStatus
        {
            NextScheduleTime = new DateTime(2025, 3, 30, 5, 30, 0, 123, DateTimeKind.Utc),
            Conditions = [new V1Condition { Type = "Ready", Status = "True", Reason = "Scheduled", Message = "", LastTransitionTime = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc) }],
        };
        var json = JsonSerializer.SerializeToNode(status, DroverJsonContext.Default.ScheduleStatus)!;
        Assert.Equal("2025-03-30T05:30:00Z", json["nextScheduleTime"]!.GetValue<string>());
        Assert.Equal("2025-01-02T03:04:05Z", json["conditions"]![0]!["lastTransitionTime"]!.GetValue<string>());

        var read = JsonSerializer.Deserialize("""{"lastScheduleTime":"2025-03-30T07:30:00+02:00"}""", DroverJsonContext.Default.ScheduleStatus)!;
        Assert.Equal(new DateTime(2025, 3, 30, 5, 30, 0, DateTimeKind.Utc), read.LastScheduleTime);
        Assert.Equal(DateTimeKind.Utc, read.LastScheduleTime!.Value.Kind);
    }

    [Fact]
    public void Lists_read_items_and_list_metadata()
    {
        const string json = """{"apiVersion":"drover.dev/v1alpha1","kind":"ScheduleList","metadata":{"resourceVersion":"42"},"items":[{"metadata":{"name":"s"},"spec":{"agentRef":{"name":"a"},"schedule":"@daily","prompt":"p"}}]}""";
        var list = JsonSerializer.Deserialize(json, DroverJsonContext.Default.ScheduleList)!;
        Assert.Equal("42", list.Metadata.ResourceVersion);
        Assert.Equal("@daily", Assert.Single(list.Items).Spec.Schedule);
    }
}
