using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Drover.DevCluster.Storage;

/// <summary>Source-generated serialisation for the node types the server writes, so encoding needs no reflection.</summary>
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonNode))]
[JsonSourceGenerationOptions(WriteIndented = false)]
internal sealed partial class StoreJson : JsonSerializerContext;
