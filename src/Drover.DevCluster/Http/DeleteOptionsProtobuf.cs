using System.Text.Json.Nodes;
using Drover.DevCluster.Protobuf;
using Google.Protobuf;

namespace Drover.DevCluster.Http;

/// <summary>
/// Decodes a protobuf <c>DeleteOptions</c> body (helm's uninstall sends one) into its JSON form:
/// <c>k8s\0</c> + runtime.Unknown whose raw is DeleteOptions {gracePeriodSeconds=1,
/// preconditions=2 {uid=1, resourceVersion=2}, orphanDependents=3, propagationPolicy=4, dryRun=5}.
/// </summary>
internal static class DeleteOptionsProtobuf
{
    public static JsonObject? TryDecode(byte[] body)
    {
        if (body.Length < 4 || !body.AsSpan(0, 4).SequenceEqual("k8s\0"u8))
        {
            return null;
        }

        try
        {
            var envelope = new ProtoMessageReader(body[4..], "runtime.Unknown");
            var raw = ByteString.Empty;
            var kind = string.Empty;
            while (envelope.Next(out var field))
            {
                switch (field)
                {
                    case 1:
                        var typeMeta = envelope.ReadMessage("runtime.TypeMeta");
                        while (typeMeta.Next(out var typeField))
                        {
                            if (typeField == 2)
                            {
                                kind = typeMeta.ReadString();
                            }
                            else
                            {
                                typeMeta.Skip();
                            }
                        }

                        break;
                    case 2:
                        raw = envelope.ReadBytes();
                        break;
                    default:
                        envelope.Skip();
                        break;
                }
            }

            return kind == "DeleteOptions" ? Options(new ProtoMessageReader(raw, "DeleteOptions")) : null;
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private static JsonObject Options(ProtoMessageReader reader)
    {
        var options = new JsonObject { ["kind"] = "DeleteOptions", ["apiVersion"] = "v1" };
        var dryRun = new JsonArray();
        while (reader.Next(out var field))
        {
            switch (field)
            {
                case 1:
                    options["gracePeriodSeconds"] = reader.ReadInt64();
                    break;
                case 2:
                    var preconditions = new JsonObject();
                    var inner = reader.ReadMessage("Preconditions");
                    while (inner.Next(out var f))
                    {
                        switch (f)
                        {
                            case 1: preconditions["uid"] = inner.ReadString(); break;
                            case 2: preconditions["resourceVersion"] = inner.ReadString(); break;
                            default: inner.Skip(); break;
                        }
                    }

                    options["preconditions"] = preconditions;
                    break;
                case 3:
                    options["orphanDependents"] = reader.ReadBool();
                    break;
                case 4:
                    options["propagationPolicy"] = reader.ReadString();
                    break;
                case 5:
                    dryRun.Add(reader.ReadString());
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (dryRun.Count > 0)
        {
            options["dryRun"] = dryRun;
        }

        return options;
    }
}
