using System.Text.Json.Nodes;

namespace Drover.DevCluster.Tests.Server;

/// <summary>The columns <c>kubectl get</c> prints for Services, Events and the other kinds Drover creates, as the real printers fill them.</summary>
public class BuiltinTableColumnTests : ClusterTestBase
{
    private const string TableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

    private static List<string> Columns(JsonObject table) =>
        [.. table["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>())];

    private static List<string?> Cells(JsonObject table, int row) =>
        [.. table["rows"]![row]!["cells"]!.AsArray().Select(c => c is JsonValue v && v.TryGetValue<string>(out var s) ? s : c?.ToJsonString())];

    [Fact]
    public async Task Services_print_type_cluster_ip_external_ip_ports_age_and_selector()
    {
        await CreateOkAsync("/api/v1/namespaces/default/services", JsonNode.Parse("""
            {"metadata":{"name":"web"},"spec":{"clusterIP":"10.96.5.5","selector":{"tier":"front","app":"web"},"ports":[{"port":80,"targetPort":8080},{"port":443,"protocol":"TCP"}]}}
            """)!);
        await CreateOkAsync("/api/v1/namespaces/default/services", JsonNode.Parse("""
            {"metadata":{"name":"np"},"spec":{"type":"NodePort","ports":[{"port":8080,"nodePort":30080}]}}
            """)!);

        var table = (await GetAsync("/api/v1/namespaces/default/services", TableAccept)).Json!;

        Assert.Equal(["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"], Columns(table));
        Assert.Equal(1, table["columnDefinitions"]![6]!["priority"]!.GetValue<int>());
        var kubernetes = Cells(table, 0);
        Assert.Equal(["kubernetes", "ClusterIP", "10.96.0.1", "<none>", "443/TCP"], kubernetes.Take(5));
        var np = Cells(table, 1);
        Assert.Equal(["np", "NodePort"], np.Take(2));
        Assert.Equal(["<none>", "8080:30080/TCP"], np.Skip(3).Take(2));
        Assert.Equal("<none>", np[6]);
        Assert.Equal(["web", "ClusterIP", "10.96.5.5", "<none>", "80/TCP,443/TCP"], Cells(table, 2).Take(5));
        Assert.Equal("app=web,tier=front", Cells(table, 2)[6]);
    }

    [Fact]
    public async Task Events_print_last_seen_type_reason_object_and_message_the_same_through_both_apis()
    {
        await CreateOkAsync("/apis/events.k8s.io/v1/namespaces/default/events", JsonNode.Parse("""
            {"metadata":{"name":"echo.1"},"eventTime":"2025-03-01T10:00:00.000000Z","type":"Warning","reason":"InvalidSpec","action":"Reconcile",
             "note":" bad spec ","reportingController":"drover.dev/operator","reportingInstance":"op-0",
             "regarding":{"kind":"Agent","name":"echo","namespace":"default"},"series":{"count":5,"lastObservedTime":"2025-03-01T10:03:00.000000Z"}}
            """)!);

        var core = (await GetAsync("/api/v1/namespaces/default/events", TableAccept)).Json!;
        var viewed = (await GetAsync("/apis/events.k8s.io/v1/namespaces/default/events", TableAccept)).Json!;

        Assert.Equal(["Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen", "Count", "Name"], Columns(core));
        Assert.Equal(Columns(core), Columns(viewed));
        var cells = Cells(core, 0);
        Assert.Equal(["Warning", "InvalidSpec", "agent/echo", "", "drover.dev/operator, op-0", "bad spec"], cells.Skip(1).Take(6));
        Assert.Equal(["5", "echo.1"], cells.Skip(8));
        Assert.Equal(cells, Cells(viewed, 0));
    }

    [Fact]
    public async Task Service_accounts_claims_and_network_policies_print_the_real_columns()
    {
        await CreateOkAsync("/api/v1/namespaces/default/serviceaccounts", JsonNode.Parse("""{"metadata":{"name":"agent"},"secrets":[{"name":"token"}]}""")!);
        await CreateOkAsync("/api/v1/namespaces/default/persistentvolumeclaims", JsonNode.Parse("""
            {"metadata":{"name":"workspace"},"spec":{"accessModes":["ReadWriteOnce"],"storageClassName":"standard","resources":{"requests":{"storage":"1Gi"}}}}
            """)!);
        await CreateOkAsync("/apis/networking.k8s.io/v1/namespaces/default/networkpolicies", JsonNode.Parse("""
            {"metadata":{"name":"agent"},"spec":{"podSelector":{"matchLabels":{"app":"agent"}}}}
            """)!);
        await CreateOkAsync("/apis/networking.k8s.io/v1/namespaces/default/networkpolicies", JsonNode.Parse("""{"metadata":{"name":"all"},"spec":{"podSelector":{}}}""")!);

        var accounts = (await GetAsync("/api/v1/namespaces/default/serviceaccounts/agent", TableAccept)).Json!;
        Assert.Equal(["Name", "Secrets", "Age"], Columns(accounts));
        Assert.Equal(["agent", "1"], Cells(accounts, 0).Take(2));

        var claims = (await GetAsync("/api/v1/namespaces/default/persistentvolumeclaims", TableAccept)).Json!;
        Assert.Equal(["Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass", "VolumeAttributesClass", "Age", "VolumeMode"], Columns(claims));
        var claim = Cells(claims, 0);
        Assert.Equal(["workspace", "Pending", "", "", "", "standard", "<unset>"], claim.Take(7));
        Assert.Equal("Filesystem", claim[8]);

        var policies = (await GetAsync("/apis/networking.k8s.io/v1/namespaces/default/networkpolicies", TableAccept)).Json!;
        Assert.Equal(["Name", "Pod-Selector", "Age"], Columns(policies));
        Assert.Equal(["agent", "app=agent"], Cells(policies, 0).Take(2));
        Assert.Equal(["all", "<none>"], Cells(policies, 1).Take(2));
    }
}
