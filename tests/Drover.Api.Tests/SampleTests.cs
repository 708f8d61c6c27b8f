using System.Text.Json.Nodes;
using Drover.Api.V1Alpha1;
using Drover.Tests.Support;

namespace Drover.Api.Tests;

public class SampleTests
{
    public static TheoryData<string, string> DroverSamples()
    {
        var data = new TheoryData<string, string>();
        foreach (var (file, obj) in Repository.Samples().Where(s => DroverObjects.IsDrover(s.Object)))
        {
            data.Add(file, obj.ToJsonString());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DroverSamples))]
    public void Every_sample_passes_semantic_validation(string file, string json)
    {
        var errors = DroverObjects.Validate(JsonNode.Parse(json)!.AsObject());
        Assert.True(errors.Count == 0, $"{file}: {string.Join("; ", errors)}");
    }

    [Theory]
    [MemberData(nameof(DroverSamples))]
    public void Yaml_to_object_to_json_to_yaml_loses_nothing(string file, string json)
    {
        var original = JsonNode.Parse(json)!.AsObject();
        var yamlAgain = YamlJson.Write(DroverObjects.RoundTrip(original));
        var reread = YamlJson.Parse(yamlAgain);
        Assert.True(
            YamlJson.Canonical(original) == YamlJson.Canonical(reread),
            $"{file} changed in the round trip:\nbefore: {YamlJson.Canonical(original)}\nafter:  {YamlJson.Canonical(reread)}");
    }

    [Fact]
    public void Samples_cover_the_documented_scenarios()
    {
        var samples = Repository.Samples().Select(s => s.Object).ToList();
        var providers = samples.Where(o => DroverObjects.Kind(o) == ModelProvider.KubeKind).Select(DroverObjects.Read<ModelProvider>).ToList();
        var agents = samples.Where(o => DroverObjects.Kind(o) == Agent.KubeKind).Select(DroverObjects.Read<Agent>).ToList();
        var schedules = samples.Where(o => DroverObjects.Kind(o) == Schedule.KubeKind).Select(DroverObjects.Read<Schedule>).ToList();

        var openAi = Assert.Single(providers, p => p.Spec.Type == ProviderTypes.OpenAI);
        var secret = Assert.Single(samples, o => DroverObjects.Kind(o) == "Secret");
        Assert.Equal(openAi.Spec.ApiKey!.SecretKeyRef!.Name, secret["metadata"]!["name"]!.GetValue<string>());
        Assert.NotNull(secret["stringData"]![openAi.Spec.ApiKey.SecretKeyRef.Key]);

        var ollama = Assert.Single(providers, p => p.Spec.Type == ProviderTypes.Ollama);
        Assert.Equal("http://ollama.default.svc:11434", ProviderEndpoints.Resolve(ollama));

        var agent = Assert.Single(agents);
        Assert.Equal(openAi.Metadata.Name, agent.Spec.Model.ProviderRef.Name);
        Assert.Equal(ollama.Metadata.Name, Assert.Single(agent.Spec.Model.Fallbacks!).ProviderRef.Name);
        Assert.Equal([Architectures.Arm64], agent.Spec.Placement!.Architectures!);
        Assert.True(agent.Spec.RunOnce!.NamesAProcess());

        var schedule = Assert.Single(schedules);
        Assert.Equal(agent.Metadata.Name, schedule.Spec.AgentRef.Name);
        Assert.Equal("Europe/Berlin", schedule.Spec.TimeZone);
        Assert.All(samples, o => Assert.Equal("default", o["metadata"]!["namespace"]!.GetValue<string>()));
    }
}
