using System.Text.Json;
using System.Text.Json.Nodes;
using Drover.Api;
using Drover.Api.V1Alpha1;
using Drover.Api.Validation;

namespace Drover.Tests.Support;

/// <summary>Reads JSON trees of Drover kinds into the C# types and runs the matching validator.</summary>
public static class DroverObjects
{
    public static bool IsDrover(JsonObject obj) => obj["apiVersion"]?.GetValue<string>() == DroverApi.ApiVersion;

    public static string Kind(JsonObject obj) => obj["kind"]!.GetValue<string>();

    /// <summary>The semantic validation errors of a Drover object.</summary>
    public static IReadOnlyList<ValidationError> Validate(JsonObject obj) => Kind(obj) switch
    {
        Agent.KubeKind => AgentValidator.Validate(Read<Agent>(obj)),
        ModelProvider.KubeKind => ModelProviderValidator.Validate(Read<ModelProvider>(obj)),
        Schedule.KubeKind => ScheduleValidator.Validate(Read<Schedule>(obj)),
        var kind => throw new InvalidOperationException($"Not a Drover kind: {kind}"),
    };

    /// <summary>Reads the object into its C# type and writes it back as JSON.</summary>
    public static JsonNode RoundTrip(JsonObject obj) => Kind(obj) switch
    {
        Agent.KubeKind => JsonSerializer.SerializeToNode(Read<Agent>(obj), DroverJsonContext.Default.Agent)!,
        ModelProvider.KubeKind => JsonSerializer.SerializeToNode(Read<ModelProvider>(obj), DroverJsonContext.Default.ModelProvider)!,
        Schedule.KubeKind => JsonSerializer.SerializeToNode(Read<Schedule>(obj), DroverJsonContext.Default.Schedule)!,
        var kind => throw new InvalidOperationException($"Not a Drover kind: {kind}"),
    };

    public static T Read<T>(JsonNode obj)
    {
        var typeInfo = (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)DroverJsonContext.Default.GetTypeInfo(typeof(T))!;
        return obj.Deserialize(typeInfo)!;
    }

    public static T ReadYaml<T>(string yaml) => Read<T>(YamlJson.Parse(yaml));
}
