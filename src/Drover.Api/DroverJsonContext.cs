using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Drover.Api.V1Alpha1;

namespace Drover.Api;

/// <summary>
/// Source-generated JSON metadata for every Drover kind: camelCase names as Kubernetes writes them, nulls omitted,
/// timestamps as RFC 3339 in UTC. The only serialiser the operator needs, and trim/NativeAOT safe.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(Rfc3339DateTimeConverter)])]
[JsonSerializable(typeof(Agent))]
[JsonSerializable(typeof(AgentList))]
[JsonSerializable(typeof(AgentStatus))]
[JsonSerializable(typeof(ModelProvider))]
[JsonSerializable(typeof(ModelProviderList))]
[JsonSerializable(typeof(ModelProviderStatus))]
[JsonSerializable(typeof(Schedule))]
[JsonSerializable(typeof(ScheduleList))]
[JsonSerializable(typeof(ScheduleStatus))]
[JsonSerializable(typeof(JsonObject))]
// metadata.managedFields[].fieldsV1 is typed `object` in k8s.Models and arrives as a JsonElement: writing it back
// (deep copies, status patches) needs its metadata, or every object touched by a field manager fails to serialise.
[JsonSerializable(typeof(JsonElement))]
public sealed partial class DroverJsonContext : JsonSerializerContext;
