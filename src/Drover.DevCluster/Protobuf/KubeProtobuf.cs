using System.Text.Json.Nodes;
using Google.Protobuf;

namespace Drover.DevCluster.Protobuf;

/// <summary>
/// Reads request bodies sent as <c>application/vnd.kubernetes.protobuf</c>: the magic
/// <c>k8s\0</c>, then a <c>runtime.Unknown</c> envelope whose <c>raw</c> is the object.
/// Helm writes its release Secrets this way and does not retry as JSON on a 415, so the
/// dev cluster has to understand at least v1 Secret and ConfigMap.
/// </summary>
public static class KubeProtobuf
{
    private static ReadOnlySpan<byte> Magic => "k8s\0"u8;

    /// <summary>Decodes a protobuf body into the object's JSON (with apiVersion and kind).</summary>
    /// <exception cref="FormatException">The body lacks the magic or is not valid protobuf.</exception>
    /// <exception cref="NotSupportedException">The object is not a v1 Secret or ConfigMap, or its raw bytes are compressed.</exception>
    public static JsonObject Decode(ReadOnlySpan<byte> body)
    {
        if (!body.StartsWith(Magic))
        {
            throw new FormatException("protobuf body does not start with the Kubernetes magic \"k8s\\0\"");
        }

        try
        {
            return DecodeEnvelope(new ProtoMessageReader(body[Magic.Length..].ToArray(), "runtime.Unknown"));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new FormatException($"malformed protobuf body: {e.Message}", e);
        }
    }

    /// <summary>runtime.Unknown: typeMeta=1 {apiVersion=1, kind=2}, raw=2, contentEncoding=3, contentType=4.</summary>
    private static JsonObject DecodeEnvelope(ProtoMessageReader unknown)
    {
        string apiVersion = "", kind = "", contentEncoding = "";
        var raw = ByteString.Empty;
        while (unknown.Next(out var field))
        {
            switch (field)
            {
                case 1:
                    var typeMeta = unknown.ReadMessage("runtime.TypeMeta");
                    while (typeMeta.Next(out var typeField))
                    {
                        switch (typeField)
                        {
                            case 1: apiVersion = typeMeta.ReadString(); break;
                            case 2: kind = typeMeta.ReadString(); break;
                            default: typeMeta.Skip(); break;
                        }
                    }

                    break;
                case 2: raw = unknown.ReadBytes(); break;
                case 3: contentEncoding = unknown.ReadString(); break;
                case 4: unknown.ReadString(); break;
                default: unknown.Skip(); break;
            }
        }

        if (contentEncoding.Length > 0)
        {
            throw new NotSupportedException($"protobuf content encoding \"{contentEncoding}\" is not supported");
        }

        var envelope = new JsonObject { ["kind"] = kind, ["apiVersion"] = apiVersion };
        var reader = new ProtoMessageReader(raw, $"{apiVersion} {kind}");
        return (apiVersion, kind) switch
        {
            ("v1", "Secret") => CoreV1Proto.DecodeSecret(reader, envelope),
            ("v1", "ConfigMap") => CoreV1Proto.DecodeConfigMap(reader, envelope),
            _ => throw new NotSupportedException(
                $"protobuf bodies are supported for v1 Secret and v1 ConfigMap only, not {(apiVersion.Length == 0 ? "(no apiVersion)" : apiVersion)} {(kind.Length == 0 ? "(no kind)" : kind)}"),
        };
    }
}
