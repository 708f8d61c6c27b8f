using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Drover.Api.Validation;
using Drover.Tests.Support;

namespace Drover.Api.Tests.Validation;

/// <summary>Unknown fields, found from the types' JSON metadata as the API server finds them with strict field validation.</summary>
public class UnknownFieldsTests
{
    private static IReadOnlyList<string> Find(string yaml, JsonTypeInfo type) => UnknownFields.Find(YamlJson.Parse(yaml), type);

    [Fact]
    public void A_misspelt_spec_field_is_named_by_its_path() =>
        Assert.Equal(["spec.instuctions"], Find("""
            apiVersion: drover.dev/v1alpha1
            kind: Agent
            metadata: {name: a}
            spec: {image: x, model: {providerRef: {name: openai}}, instuctions: Be brief.}
            """, DroverJsonContext.Default.Agent));

    [Fact]
    public void Fields_are_found_in_metadata_nested_objects_lists_and_maps_of_embedded_kubernetes_types() =>
        Assert.Equal(
            ["metadata.lables", "spec.model.providerRef.nmae", "spec.env[1].valueFrom.secretKeyRef.nmae", "spec.resources.limitz", "spec.placement.tolerations[0].effekt"],
            Find("""
                apiVersion: drover.dev/v1alpha1
                kind: Agent
                metadata: {name: a, lables: {team: x}}
                spec:
                  image: x
                  model: {providerRef: {nmae: openai}}
                  env:
                    - {name: A, value: "1"}
                    - {name: B, valueFrom: {secretKeyRef: {nmae: s, key: k}}}
                  resources: {limitz: {memory: 1Gi}}
                  placement: {tolerations: [{key: k, effect: NoSchedule, effekt: NoSchedule}]}
                """, DroverJsonContext.Default.Agent));

    [Fact]
    public void Free_form_config_quantities_and_names_that_differ_only_in_case_are_read_as_the_server_reads_them() =>
        Assert.Equal(["spec.Image"], Find("""
            apiVersion: drover.dev/v1alpha1
            kind: Agent
            metadata: {name: a, annotations: {anything: goes}}
            spec:
              Image: x
              model: {providerRef: {name: openai}}
              config: {whatever: {the: runtime, reads: [1, 2]}}
              resources: {requests: {cpu: 10m}, limits: {memory: 64Mi}}
              storage: {size: 1Gi}
            """, DroverJsonContext.Default.Agent));

    [Fact]
    public void Every_kind_is_checked_the_same_way()
    {
        Assert.Equal(["spec.apiKey.secretKeyRef.nmae", "spec.limits.tokensPerMinit"], Find("""
            apiVersion: drover.dev/v1alpha1
            kind: ModelProvider
            metadata: {name: p}
            spec: {type: OpenAI, apiKey: {secretKeyRef: {nmae: s, key: k}}, limits: {tokensPerMinit: 5}}
            """, DroverJsonContext.Default.ModelProvider));
        Assert.Equal(["spec.history.succesful", "spec.promt"], Find("""
            apiVersion: drover.dev/v1alpha1
            kind: Schedule
            metadata: {name: s}
            spec: {agentRef: {name: a}, schedule: "@daily", history: {succesful: 1}, promt: hi}
            """, DroverJsonContext.Default.Schedule));
    }

    [Theory]
    [MemberData(nameof(SampleTests.DroverSamples), MemberType = typeof(SampleTests))]
    public void Samples_have_none(string file, string json)
    {
        var obj = JsonNode.Parse(json)!.AsObject();
        var type = DroverObjects.Kind(obj) switch
        {
            "Agent" => (JsonTypeInfo)DroverJsonContext.Default.Agent,
            "ModelProvider" => DroverJsonContext.Default.ModelProvider,
            _ => DroverJsonContext.Default.Schedule,
        };
        Assert.True(UnknownFields.Find(obj, type).Count == 0, file);
    }
}
