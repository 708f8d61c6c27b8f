using System.Text;
using System.Text.Json.Nodes;
using Drover.DevCluster.Protobuf;
using Drover.DevCluster.Resources;
using Google.Protobuf;

namespace Drover.DevCluster.Tests.Protobuf;

/// <summary>
/// The table-driven codec on bodies encoded here with the field numbers of the upstream <c>generated.proto</c>
/// files; the expected JSON is what Go's encoding/json writes for the same object (per the struct tags).
/// </summary>
public class ProtoJsonDecoderTests
{
    private static readonly DateTimeOffset At = new(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Every_builtin_kind_the_dev_cluster_serves_has_a_protobuf_table()
    {
        var missing = BuiltinResources.All.Where(t => !KubeProtobuf.Supports(t.ApiVersion, t.Kind)).Select(t => $"{t.ApiVersion} {t.Kind}").ToList();
        Assert.Empty(missing);
        Assert.True(KubeProtobuf.Supports("v1", "DeleteOptions"));
        Assert.True(KubeProtobuf.Supports("autoscaling/v1", "Scale"));
    }

    [Fact]
    public void A_pod_decodes_inlined_volume_sources_quantities_int_or_strings_and_pointers()
    {
        var container = new ProtoWriter()
            .String(1, "main")
            .String(2, "busybox")
            .Message(6, new ProtoWriter().Int32(3, 8080).String(4, "TCP").String(1, string.Empty).Int32(2, 0))
            .Message(8, new ProtoWriter().MapEntry(1, "cpu", new ProtoWriter().String(1, "500m")).MapEntry(1, "memory", new ProtoWriter().String(1, "64Mi")))
            .Message(10, new ProtoWriter()
                .Message(1, new ProtoWriter().Message(2, new ProtoWriter().String(1, "/healthz").IntOrString(2, "http")))
                .Int32(4, 10)
                .Int32(2, 0))
            .String(5, string.Empty) // workingDir: Go writes every string, empty ones included
            .Bool(16, false); // stdin
        var spec = new ProtoWriter()
            .Message(1, new ProtoWriter().String(1, "cache").Message(2, new ProtoWriter().Message(2, new ProtoWriter().String(1, string.Empty).Quantity(2, "1Gi"))))
            .Message(1, new ProtoWriter().String(1, "cfg").Message(2, new ProtoWriter().Message(19, new ProtoWriter()
                .Message(1, new ProtoWriter().String(1, "settings")).Int32(3, 420))))
            .Message(2, container)
            .String(3, string.Empty) // restartPolicy, empty: omitted
            .Int64(4, 0); // terminationGracePeriodSeconds is a pointer: an explicit 0 stays
        var pod = new ProtoWriter().Message(1, new ProtoWriter().String(1, "tool").Message(8, new ProtoWriter())).Message(2, spec);

        var json = KubeProtobuf.Decode(ProtoWriter.Envelope("v1", "Pod", pod));

        AssertJson("""
            {"kind":"Pod","apiVersion":"v1","metadata":{"name":"tool"},
             "spec":{"volumes":[{"name":"cache","emptyDir":{"sizeLimit":"1Gi"}},{"name":"cfg","configMap":{"name":"settings","defaultMode":420}}],
                     "containers":[{"name":"main","image":"busybox","ports":[{"containerPort":8080,"protocol":"TCP"}],
                                    "resources":{"limits":{"cpu":"500m","memory":"64Mi"}},
                                    "livenessProbe":{"httpGet":{"path":"/healthz","port":"http"},"periodSeconds":10}}],
                     "terminationGracePeriodSeconds":0},
             "status":{}}
            """, json);
    }

    [Fact]
    public void A_core_event_writes_zero_times_as_null_and_micro_times_to_the_microsecond()
    {
        var eventTime = At.AddSeconds(1);
        var event_ = new ProtoWriter()
            .Message(1, new ProtoWriter().String(1, "web.1").String(3, "default"))
            .Message(2, new ProtoWriter().String(1, "Agent").String(3, "web").String(5, "drover.dev/v1alpha1"))
            .String(3, "Failed")
            .String(4, "bad spec")
            .Message(5, new ProtoWriter())
            .Message(6, new ProtoWriter())
            .Int32(8, 0)
            .String(9, "Warning")
            .MicroTime(10, eventTime, 123_456_789)
            .Message(11, new ProtoWriter().Int32(1, 3).MicroTime(2, eventTime.AddMinutes(1), 5_000))
            .String(12, "Reconcile")
            .String(14, "drover.dev/operator")
            .String(15, "pod-1");

        var json = KubeProtobuf.Decode(ProtoWriter.Envelope("v1", "Event", event_));

        AssertJson("""
            {"kind":"Event","apiVersion":"v1","metadata":{"name":"web.1","namespace":"default"},
             "involvedObject":{"kind":"Agent","name":"web","apiVersion":"drover.dev/v1alpha1"},
             "reason":"Failed","message":"bad spec","source":{},"firstTimestamp":null,"lastTimestamp":null,"type":"Warning",
             "eventTime":"2024-05-01T10:00:01.123456Z",
             "series":{"count":3,"lastObservedTime":"2024-05-01T10:01:01.000005Z"},
             "action":"Reconcile","reportingComponent":"drover.dev/operator","reportingInstance":"pod-1"}
            """, json);
    }

    [Fact]
    public void A_crd_schema_decodes_its_unions_raw_json_doubles_and_hyphenated_names()
    {
        var size = new ProtoWriter().String(5, "integer").Double(9, 10.5).Message(8, new ProtoWriter().Bytes(1, "3"u8.ToArray()));
        var tags = new ProtoWriter().String(5, "array")
            .Message(24, new ProtoWriter().Message(1, new ProtoWriter().String(5, "string")
                .Message(20, new ProtoWriter().Bytes(1, "\"a\""u8.ToArray()))
                .Message(20, new ProtoWriter().Bytes(1, "\"b\""u8.ToArray()))));
        var labels = new ProtoWriter().String(5, "object").Message(30, new ProtoWriter().Message(2, new ProtoWriter().String(5, "string")));
        var spec = new ProtoWriter().String(5, "object")
            .MapEntry(29, "size", size)
            .MapEntry(29, "tags", tags)
            .MapEntry(29, "labels", labels)
            .Message(30, new ProtoWriter().Bool(1, false));
        var schema = new ProtoWriter().String(5, "object")
            .MapEntry(29, "spec", spec)
            .MapEntry(29, "status", new ProtoWriter().String(5, "object").Bool(38, true))
            .MapEntry(32, "spec", new ProtoWriter().String(2, "status"));
        var crd = new ProtoWriter()
            .Message(1, new ProtoWriter().String(1, "widgets.example.com"))
            .Message(2, new ProtoWriter()
                .String(1, "example.com")
                .Message(3, new ProtoWriter().String(1, "widgets").String(2, "widget").String(4, "Widget").String(5, "WidgetList"))
                .String(4, "Namespaced")
                .Message(7, new ProtoWriter().String(1, "v1").Bool(2, true).Bool(3, true).Message(4, new ProtoWriter().Message(1, schema))));

        var json = KubeProtobuf.Decode(ProtoWriter.Envelope("apiextensions.k8s.io/v1", "CustomResourceDefinition", crd));

        AssertJson("""
            {"kind":"CustomResourceDefinition","apiVersion":"apiextensions.k8s.io/v1","metadata":{"name":"widgets.example.com"},
             "spec":{"group":"example.com","names":{"plural":"widgets","singular":"widget","kind":"Widget","listKind":"WidgetList"},"scope":"Namespaced",
                     "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object",
                        "properties":{
                          "spec":{"type":"object","properties":{
                             "size":{"type":"integer","default":3,"maximum":10.5},
                             "tags":{"type":"array","items":{"type":"string","enum":["a","b"]}},
                             "labels":{"type":"object","additionalProperties":{"type":"string"}}},
                             "additionalProperties":false},
                          "status":{"type":"object","x-kubernetes-preserve-unknown-fields":true}},
                        "dependencies":{"spec":["status"]}}}}]},
             "status":{"conditions":null,"acceptedNames":{"plural":"","kind":""},"storedVersions":null}}
            """, json);
    }

    [Fact]
    public void Repeated_numbers_decode_packed_and_unpacked()
    {
        ProtoWriter Job(Func<ProtoWriter, ProtoWriter> values) => new ProtoWriter()
            .Message(1, new ProtoWriter().String(1, "j"))
            .Message(2, new ProtoWriter().Message(11, new ProtoWriter().Message(1, new ProtoWriter()
                .String(1, "FailJob")
                .Message(2, values(new ProtoWriter().String(2, "In"))))));

        var packed = KubeProtobuf.Decode(ProtoWriter.Envelope("batch/v1", "Job", Job(w => w.PackedInt32(3, 1, 42, -1))));
        var unpacked = KubeProtobuf.Decode(ProtoWriter.Envelope("batch/v1", "Job", Job(w => w.Int32(3, 1).Int32(3, 42).Int32(3, -1))));

        var expected = """{"action":"FailJob","onExitCodes":{"operator":"In","values":[1,42,-1]}}""";
        Assert.Equal(expected, packed["spec"]!["podFailurePolicy"]!["rules"]![0]!.ToJsonString());
        Assert.Equal(expected, unpacked["spec"]!["podFailurePolicy"]!["rules"]![0]!.ToJsonString());
    }

    [Fact]
    public void A_message_field_sent_twice_is_merged_as_protobuf_defines()
    {
        var configMap = new ProtoWriter()
            .Message(1, new ProtoWriter().String(1, "c"))
            .Message(1, new ProtoWriter().String(3, "ns").MapEntry(11, "a", "b"));

        var json = KubeProtobuf.Decode(ProtoWriter.Envelope("v1", "ConfigMap", configMap));

        Assert.Equal("""{"name":"c","namespace":"ns","labels":{"a":"b"}}""", json["metadata"]!.ToJsonString());
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("meta.k8s.io/v1")]
    public void DeleteOptions_decode_whatever_group_version_labels_them(string apiVersion)
    {
        var options = new ProtoWriter()
            .Int64(1, 0)
            .Message(2, new ProtoWriter().String(1, "uid-1").String(2, "7"))
            .String(4, "Foreground")
            .String(5, "All");

        var json = KubeProtobuf.Decode(ProtoWriter.Envelope(apiVersion, "DeleteOptions", options));

        AssertJson($$"""
            {"kind":"DeleteOptions","apiVersion":"{{apiVersion}}","gracePeriodSeconds":0,
             "preconditions":{"uid":"uid-1","resourceVersion":"7"},"propagationPolicy":"Foreground","dryRun":["All"]}
            """, json);
    }

    [Fact]
    public void A_hostile_nesting_depth_is_malformed_not_a_stack_overflow()
    {
        var schema = new ProtoWriter().String(5, "object");
        for (var i = 0; i < 150; i++)
        {
            schema = new ProtoWriter().Message(28, schema);
        }

        var crd = new ProtoWriter().Message(2, new ProtoWriter().Message(7, new ProtoWriter().Message(4, new ProtoWriter().Message(1, schema))));

        var error = Assert.Throws<FormatException>(() => KubeProtobuf.Decode(ProtoWriter.Envelope("apiextensions.k8s.io/v1", "CustomResourceDefinition", crd)));
        Assert.Contains("nested more than", error.Message);
    }

    [Fact]
    public void An_int_or_string_with_an_unknown_type_is_malformed()
    {
        var service = new ProtoWriter().Message(2, new ProtoWriter().Message(1, new ProtoWriter().Int32(3, 80)
            .Message(4, new ProtoWriter().Int64(1, 7))));

        Assert.Throws<FormatException>(() => KubeProtobuf.Decode(ProtoWriter.Envelope("v1", "Service", service)));
    }

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(1L, "1ns")]
    [InlineData(1_500L, "1.5µs")]
    [InlineData(250_000_000L, "250ms")]
    [InlineData(1_500_000_000L, "1.5s")]
    [InlineData(90_000_000_000L, "1m30s")]
    [InlineData(3_600_000_000_000L, "1h0m0s")]
    [InlineData(-5_000_000_000L, "-5s")]
    [InlineData(long.MinValue, "-2562047h47m16.854775808s")]
    public void Durations_read_as_go_writes_them(long nanoseconds, string expected)
    {
        var duration = new ProtoMessage("test.Duration", ProtoJsonForm.Duration, [new(1, "duration", ProtoKind.Int64, -1, ProtoFieldFlags.None)]);

        var json = ProtoJsonDecoder.Decode(duration, ByteString.CopyFrom(new ProtoWriter().Int64(1, nanoseconds).ToArray()));

        Assert.Equal(expected, json!.GetValue<string>());
    }

    [Fact]
    public void A_raw_extension_is_its_embedded_json_or_protobuf_object()
    {
        var extension = new ProtoMessage("test.RawExtension", ProtoJsonForm.RawExtension, [new(1, "raw", ProtoKind.Bytes, -1, ProtoFieldFlags.None)]);
        ByteString Raw(byte[] raw) => ByteString.CopyFrom(new ProtoWriter().Bytes(1, raw).ToArray());

        var fromJson = ProtoJsonDecoder.Decode(extension, Raw(Encoding.UTF8.GetBytes("""{"kind":"Thing","n":1}""")));
        var fromProtobuf = ProtoJsonDecoder.Decode(extension, Raw(ProtoWriter.Envelope("v1", "ConfigMap", new ProtoWriter().Message(1, new ProtoWriter().String(1, "embedded")))));

        Assert.Equal("""{"kind":"Thing","n":1}""", fromJson!.ToJsonString());
        Assert.Equal("""{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"embedded"}}""", fromProtobuf!.ToJsonString());
        Assert.Null(ProtoJsonDecoder.Decode(extension, ByteString.Empty));
        Assert.Throws<FormatException>(() => ProtoJsonDecoder.Decode(extension, Raw("not json"u8.ToArray())));
    }

    private static void AssertJson(string expected, JsonNode actual) =>
        Assert.Equal(JsonNode.Parse(expected)!.ToJsonString(), actual.ToJsonString());
}
