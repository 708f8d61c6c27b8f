using System.Text.Json.Nodes;
using Google.Protobuf;

namespace Drover.DevCluster.Protobuf;

/// <summary>
/// Reads request bodies sent as <c>application/vnd.kubernetes.protobuf</c>: the magic
/// <c>k8s\0</c>, then a <c>runtime.Unknown</c> envelope whose <c>raw</c> is the object. kubectl's
/// typed commands (<c>create namespace|deployment|job|...</c>, <c>expose</c>) and helm's release
/// storage write this way and do not retry as JSON on a 415, so every built-in kind the dev cluster
/// serves decodes here into the JSON the client would otherwise have sent.
/// </summary>
public static class KubeProtobuf
{
    internal static ReadOnlySpan<byte> Magic => "k8s\0"u8;

    /// <summary>Whether a body of this apiVersion and kind can be decoded.</summary>
    public static bool Supports(string apiVersion, string kind) => KubeProtoTables.Find(apiVersion, kind) is not null;

    /// <summary>Decodes a protobuf body into the object's JSON (with kind and apiVersion first, as Go writes them).</summary>
    /// <exception cref="FormatException">The body lacks the magic or is not valid protobuf for its kind.</exception>
    /// <exception cref="NotSupportedException">The kind is not one the dev cluster decodes, or its raw bytes are compressed.</exception>
    public static JsonObject Decode(ReadOnlySpan<byte> body)
    {
        if (!body.StartsWith(Magic))
        {
            throw new FormatException("protobuf body does not start with the Kubernetes magic \"k8s\\0\"");
        }

        try
        {
            return DecodeEnvelope(new ProtoMessageReader(ByteString.CopyFrom(body[Magic.Length..]), "runtime.Unknown"));
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
                    var typeMeta = new ProtoMessageReader(unknown.ReadBytes(), "runtime.TypeMeta");
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
                default: unknown.Skip(); break;
            }
        }

        if (contentEncoding.Length > 0)
        {
            throw new NotSupportedException($"protobuf content encoding \"{contentEncoding}\" is not supported");
        }

        var message = KubeProtoTables.Find(apiVersion, kind) ?? throw new NotSupportedException(
            $"the dev cluster decodes protobuf bodies for its built-in kinds only, not {(apiVersion.Length == 0 ? "(no apiVersion)" : apiVersion)} {(kind.Length == 0 ? "(no kind)" : kind)}");
        var obj = new JsonObject { ["kind"] = kind, ["apiVersion"] = apiVersion };
        var fields = (JsonObject)ProtoJsonDecoder.Decode(message, raw)!;
        foreach (var (name, value) in fields.ToList())
        {
            fields.Remove(name);
            obj[name] = value;
        }

        return obj;
    }
}
