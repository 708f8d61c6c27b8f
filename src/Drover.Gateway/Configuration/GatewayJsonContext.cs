using System.Text.Json;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Drover.Gateway.Configuration;

/// <summary>JSON metadata for the core kinds the gateway watches: only these, so NativeAOT compiles in no other model.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(V1Secret))]
[JsonSerializable(typeof(V1Namespace))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
