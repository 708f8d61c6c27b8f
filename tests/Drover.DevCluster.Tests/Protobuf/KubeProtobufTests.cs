using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Drover.DevCluster.Protobuf;

namespace Drover.DevCluster.Tests.Protobuf;

public class KubeProtobufTests
{
    private static readonly DateTimeOffset Created = new(2024, 5, 1, 10, 0, 0, 250, TimeSpan.Zero);

    [Fact]
    public void A_helm_release_secret_decodes_to_the_json_helm_would_have_sent()
    {
        var release = """{"name":"myapp","namespace":"apps","version":1,"info":{"status":"deployed"},"chart":{"metadata":{"name":"myapp","version":"0.1.0"}}}""";
        // Helm stores base64(gzip(release JSON)) as the value of data.release.
        var encodedRelease = Encoding.ASCII.GetBytes(Convert.ToBase64String(Gzip(Encoding.UTF8.GetBytes(release))));
        var metadata = new ProtoWriter()
            .String(1, "sh.helm.release.v1.myapp.v1")
            .String(3, "apps")
            .Message(8, new ProtoWriter()) // Go writes a zero creationTimestamp as an empty message; JSON omits it (omitzero)
            .MapEntry(11, "name", "myapp")
            .MapEntry(11, "owner", "helm")
            .MapEntry(11, "status", "deployed")
            .MapEntry(11, "version", "1");
        var secret = new ProtoWriter()
            .Message(1, metadata)
            .MapEntry(2, "release", encodedRelease)
            .String(3, "helm.sh/release.v1");

        var json = KubeProtobuf.Decode(ProtoWriter.Envelope("v1", "Secret", secret));

        var expected = JsonNode.Parse("""
            {"kind":"Secret","apiVersion":"v1",
             "metadata":{"name":"sh.helm.release.v1.myapp.v1","namespace":"apps",
                         "labels":{"name":"myapp","owner":"helm","status":"deployed","version":"1"}},
             "data":{"release":"DATA"},
             "type":"helm.sh/release.v1"}
            """.Replace("DATA", Convert.ToBase64String(encodedRelease), StringComparison.Ordinal))!;
        Assert.Equal(expected.ToJsonString(), json.ToJsonString());

        // And back: the data helm wrote is exactly what helm will read later.
        var stored = Convert.FromBase64String((string)json["data"]!["release"]!);
        var roundTripped = Encoding.UTF8.GetString(Gunzip(Convert.FromBase64String(Encoding.ASCII.GetString(stored))));
        Assert.Equal(release, roundTripped);
    }

    [Fact]
    public void Every_ObjectMeta_field_is_decoded_in_go_struct_order()
    {
        var metadata = new ProtoWriter()
            .String(1, "cfg")
            .String(2, "cfg-")
            .String(3, "team-a")
            .String(4, "/api/v1/namespaces/team-a/configmaps/cfg")
            .String(5, "0b7e5b8a-8d3c-4a55-9a3e-0f1c2d3e4f50")
            .String(6, "42")
            .Int64(7, 3)
            .Time(8, Created)
            .Time(9, Created.AddHours(1))
            .Int64(10, 30)
            .MapEntry(11, "app", "x")
            .MapEntry(12, "note", "hello")
            .Message(13, new ProtoWriter().String(1, "Agent").String(3, "bot").String(4, "uid-1").String(5, "drover.dev/v1alpha1").Bool(6, true).Bool(7, true))
            .String(14, "drover.dev/cleanup")
            .String(14, "kubernetes")
            .Message(17, new ProtoWriter()
                .String(1, "helm").String(2, "Apply").String(3, "v1").Time(4, Created)
                .String(6, "FieldsV1").Message(7, new ProtoWriter().Bytes(1, Encoding.UTF8.GetBytes("""{"f:data":{"f:k":{}}}""")))
                .String(8, "status"));

        var json = KubeProtobuf.Decode(ProtoWriter.Envelope("v1", "ConfigMap", new ProtoWriter().Message(1, metadata)));

        var expected = JsonNode.Parse("""
            {"kind":"ConfigMap","apiVersion":"v1","metadata":{
              "name":"cfg","generateName":"cfg-","namespace":"team-a","selfLink":"/api/v1/namespaces/team-a/configmaps/cfg",
              "uid":"0b7e5b8a-8d3c-4a55-9a3e-0f1c2d3e4f50","resourceVersion":"42","generation":3,
              "creationTimestamp":"2024-05-01T10:00:00Z","deletionTimestamp":"2024-05-01T11:00:00Z","deletionGracePeriodSeconds":30,
              "labels":{"app":"x"},"annotations":{"note":"hello"},
              "ownerReferences":[{"apiVersion":"drover.dev/v1alpha1","kind":"Agent","name":"bot","uid":"uid-1","controller":true,"blockOwnerDeletion":true}],
              "finalizers":["drover.dev/cleanup","kubernetes"],
              "managedFields":[{"manager":"helm","operation":"Apply","apiVersion":"v1","time":"2024-05-01T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:k":{}}},"subresource":"status"}]}}
            """)!.ToJsonString();
        Assert.Equal(expected, json.ToJsonString());
    }

    [Fact]
    public void Secret_bytes_become_base64_and_stringData_type_and_immutable_are_kept()
    {
        var secret = new ProtoWriter()
            .Message(1, new ProtoWriter().String(1, "keys"))
            .MapEntry(2, "binary", [0x00, 0xff, 0x10])
            .MapEntry(2, "apiKey", "sk-test")
            .String(3, "Opaque")
            .MapEntry(4, "plain", "text")
            .Bool(5, true);

        var json = KubeProtobuf.Decode(ProtoWriter.Envelope("v1", "Secret", secret));

        Assert.Equal(
            """{"kind":"Secret","apiVersion":"v1","metadata":{"name":"keys"},"immutable":true,"data":{"binary":"AP8Q","apiKey":"c2stdGVzdA=="},"stringData":{"plain":"text"},"type":"Opaque"}""",
            json.ToJsonString());
    }

    [Fact]
    public void ConfigMap_data_binaryData_and_immutable_are_decoded()
    {
        var configMap = new ProtoWriter()
            .Message(1, new ProtoWriter().String(1, "settings").String(3, "default"))
            .MapEntry(2, "agent.json", """{"model":"gpt"}""")
            .MapEntry(3, "logo.png", [0x89, 0x50, 0x4e, 0x47])
            .Bool(4, false);

        var json = KubeProtobuf.Decode(ProtoWriter.Envelope("v1", "ConfigMap", configMap));

        Assert.Equal(
            """{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"settings","namespace":"default"},"immutable":false,"data":{"agent.json":"{\u0022model\u0022:\u0022gpt\u0022}"},"binaryData":{"logo.png":"iVBORw=="}}""",
            json.ToJsonString());
        Assert.Equal("""{"model":"gpt"}""", (string?)json["data"]!["agent.json"]);
    }

    [Fact]
    public void A_repeated_map_key_keeps_the_last_value_and_unknown_fields_are_skipped()
    {
        var configMap = new ProtoWriter()
            .Message(1, new ProtoWriter().String(1, "c").String(99, "from a newer apiserver").Int64(98, 7))
            .MapEntry(2, "k", "old")
            .MapEntry(2, "k", "new")
            .Int64(50, 1);

        var json = KubeProtobuf.Decode(ProtoWriter.Envelope("v1", "ConfigMap", configMap));

        Assert.Equal("""{"name":"c"}""", json["metadata"]!.ToJsonString());
        Assert.Equal("""{"k":"new"}""", json["data"]!.ToJsonString());
    }

    [Theory]
    [InlineData("apps/v1", "DaemonSet")]
    [InlineData("v1", "Node")]
    [InlineData("v2", "Secret")]
    public void Other_kinds_are_not_supported(string apiVersion, string kind)
    {
        var body = ProtoWriter.Envelope(apiVersion, kind, new ProtoWriter().Message(1, new ProtoWriter().String(1, "x")));
        var ex = Assert.Throws<NotSupportedException>(() => KubeProtobuf.Decode(body));
        Assert.Contains($"{apiVersion} {kind}", ex.Message);
    }

    [Fact]
    public void A_compressed_raw_is_not_supported()
    {
        var body = ProtoWriter.Envelope("v1", "Secret", new ProtoWriter(), contentEncoding: "gzip");
        Assert.Throws<NotSupportedException>(() => KubeProtobuf.Decode(body));
    }

    [Fact]
    public void A_body_without_the_magic_is_malformed()
    {
        Assert.Throws<FormatException>(() => KubeProtobuf.Decode("{\"kind\":\"Secret\"}"u8));
        Assert.Throws<FormatException>(() => KubeProtobuf.Decode("k8s"u8));
    }

    [Fact]
    public void A_truncated_body_is_malformed()
    {
        var body = ProtoWriter.Envelope("v1", "Secret", new ProtoWriter().Message(1, new ProtoWriter().String(1, "keys")));
        var ex = Assert.Throws<FormatException>(() => KubeProtobuf.Decode(body.AsSpan(0, body.Length - 10)));
        Assert.Contains("malformed", ex.Message);
    }

    [Fact]
    public void A_field_with_the_wrong_wire_type_is_malformed()
    {
        // metadata (field 1) must be length-delimited; a varint there is not an ObjectMeta.
        var body = ProtoWriter.Envelope("v1", "Secret", new ProtoWriter().Int64(1, 5));
        var ex = Assert.Throws<FormatException>(() => KubeProtobuf.Decode(body));
        Assert.Contains("field 1", ex.Message);
    }

    [Fact]
    public void ManagedFields_with_raw_that_is_not_json_is_malformed()
    {
        var metadata = new ProtoWriter().Message(17, new ProtoWriter().Message(7, new ProtoWriter().Bytes(1, "not json"u8.ToArray())));
        var body = ProtoWriter.Envelope("v1", "ConfigMap", new ProtoWriter().Message(1, metadata));
        Assert.Throws<FormatException>(() => KubeProtobuf.Decode(body));
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private static byte[] Gunzip(byte[] data)
    {
        using var input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
