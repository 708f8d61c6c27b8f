using System.Text.Json;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Storage;

/// <summary>
/// One stored revision of an object. Never mutated after construction, so readers share it freely:
/// the JSON bytes are encoded once and reused by every get, list and watch.
/// </summary>
public sealed class StoredObject
{
    public StoredObject(JsonObject obj, long resourceVersion)
    {
        ArgumentNullException.ThrowIfNull(obj);
        Materialize(obj);
        Object = obj;
        ResourceVersion = resourceVersion;
        var metadata = obj["metadata"] as JsonObject;
        Namespace = metadata?["namespace"]?.GetValue<string>() ?? string.Empty;
        Name = metadata?["name"]?.GetValue<string>() ?? string.Empty;
        Uid = metadata?["uid"]?.GetValue<string>() ?? string.Empty;
        Json = JsonSerializer.SerializeToUtf8Bytes(obj, StoreJson.Default.JsonObject);
    }

    /// <summary>The stored tree. Treat as read-only; use <see cref="Clone"/> before changing anything.</summary>
    public JsonObject Object { get; }

    public byte[] Json { get; }

    public long ResourceVersion { get; }

    public string Namespace { get; }

    public string Name { get; }

    public string Uid { get; }

    public JsonObject Metadata => (JsonObject)Object["metadata"]!;

    public JsonObject Clone() => (JsonObject)Object.DeepClone();

    // Nodes parsed from JSON build their children lazily on first access; doing it now keeps
    // concurrent readers of a shared tree from racing on that first access.
    private static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    Materialize(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Materialize(child);
                }

                break;
        }
    }
}
