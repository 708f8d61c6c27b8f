using System.Text.Json.Nodes;

namespace Drover.DevCluster.Protobuf;

/// <summary>
/// Decodes the <c>k8s.io.api.core.v1</c> kinds that clients write as protobuf (helm's
/// release storage: Secret, or ConfigMap with the configmap driver) into the JSON the Go
/// types marshal, keys in struct order.
/// </summary>
internal static class CoreV1Proto
{
    /// <summary>Secret: metadata=1, data=2 (map&lt;string, bytes&gt;), type=3, stringData=4, immutable=5.</summary>
    public static JsonObject DecodeSecret(ProtoMessageReader reader, JsonObject typeMeta)
    {
        JsonObject? metadata = null;
        var data = new JsonObject();
        var stringData = new JsonObject();
        string? type = null;
        bool? immutable = null;
        while (reader.Next(out var field))
        {
            switch (field)
            {
                case 1: metadata = ObjectMetaProto.Decode(reader.ReadMessage("ObjectMeta")); break;
                case 2: AddBytesEntry(data, reader); break;
                case 3: type = reader.ReadString(); break;
                case 4: ObjectMetaProto.AddStringEntry(stringData, reader); break;
                case 5: immutable = reader.ReadBool(); break;
                default: reader.Skip(); break;
            }
        }

        var secret = typeMeta;
        secret["metadata"] = metadata ?? ObjectMetaProto.Decode(new ProtoMessageReader([], "ObjectMeta"));
        if (immutable is { } i)
        {
            secret["immutable"] = i;
        }

        ObjectMetaProto.AddIfNotEmpty(secret, "data", data);
        ObjectMetaProto.AddIfNotEmpty(secret, "stringData", stringData);
        ObjectMetaProto.AddIfNotEmpty(secret, "type", type);
        return secret;
    }

    /// <summary>ConfigMap: metadata=1, data=2 (map&lt;string, string&gt;), binaryData=3 (map&lt;string, bytes&gt;), immutable=4.</summary>
    public static JsonObject DecodeConfigMap(ProtoMessageReader reader, JsonObject typeMeta)
    {
        JsonObject? metadata = null;
        var data = new JsonObject();
        var binaryData = new JsonObject();
        bool? immutable = null;
        while (reader.Next(out var field))
        {
            switch (field)
            {
                case 1: metadata = ObjectMetaProto.Decode(reader.ReadMessage("ObjectMeta")); break;
                case 2: ObjectMetaProto.AddStringEntry(data, reader); break;
                case 3: AddBytesEntry(binaryData, reader); break;
                case 4: immutable = reader.ReadBool(); break;
                default: reader.Skip(); break;
            }
        }

        var configMap = typeMeta;
        configMap["metadata"] = metadata ?? ObjectMetaProto.Decode(new ProtoMessageReader([], "ObjectMeta"));
        if (immutable is { } i)
        {
            configMap["immutable"] = i;
        }

        ObjectMetaProto.AddIfNotEmpty(configMap, "data", data);
        ObjectMetaProto.AddIfNotEmpty(configMap, "binaryData", binaryData);
        return configMap;
    }

    /// <summary>Go marshals <c>[]byte</c> as standard base64, so bytes values become base64 strings.</summary>
    private static void AddBytesEntry(JsonObject map, ProtoMessageReader reader)
    {
        var (key, value) = reader.ReadMapEntry();
        map[key] = value.ToBase64();
    }
}
