using System.Net;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Tests.Server;

/// <summary>Services get their addresses as from a kubeadm cluster's registry: 10.96.0.0/12, single-stack IPv4.</summary>
public class ServiceAddressTests : ClusterTestBase
{
    private const string Services = "/api/v1/namespaces/default/services";

    private static JsonObject Service(string name, string? clusterIp = null, string? type = null, JsonObject? selector = null, int? nodePort = null)
    {
        var port = new JsonObject { ["port"] = 80 };
        if (nodePort is { } n)
        {
            port["nodePort"] = n;
        }

        var spec = new JsonObject { ["ports"] = new JsonArray(port), ["selector"] = selector ?? new JsonObject { ["app"] = name } };
        if (clusterIp is not null)
        {
            spec["clusterIP"] = clusterIp;
        }

        if (type is not null)
        {
            spec["type"] = type;
        }

        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Service", ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = spec };
    }

    private static string ClusterIp(JsonObject service) => service["spec"]!["clusterIP"]!.GetValue<string>();

    private static bool InServiceCidr(string ip)
    {
        var bytes = IPAddress.Parse(ip).GetAddressBytes();
        return bytes[0] == 10 && bytes[1] >= 96 && bytes[1] <= 111;
    }

    [Fact]
    public async Task A_service_gets_a_cluster_ip_and_the_fields_a_real_server_fills()
    {
        var created = await CreateOkAsync(Services, Service("web"));

        var spec = created["spec"]!;
        var ip = ClusterIp(created);
        Assert.True(InServiceCidr(ip), ip);
        Assert.NotEqual("10.96.0.0", ip);
        Assert.Equal($$"""["{{ip}}"]""", spec["clusterIPs"]!.ToJsonString());
        Assert.Equal("""["IPv4"]""", spec["ipFamilies"]!.ToJsonString());
        Assert.Equal("SingleStack", spec["ipFamilyPolicy"]!.GetValue<string>());
        Assert.Equal("ClusterIP", spec["type"]!.GetValue<string>());
        Assert.Equal("None", spec["sessionAffinity"]!.GetValue<string>());
        Assert.Equal("Cluster", spec["internalTrafficPolicy"]!.GetValue<string>());
        Assert.Equal("""[{"port":80,"protocol":"TCP","targetPort":80}]""", spec["ports"]!.ToJsonString());
        Assert.Equal("""{"loadBalancer":{}}""", created["status"]!.ToJsonString());

        // And so it reads back, not only in the create answer.
        var read = (await GetAsync(Services + "/web")).Json!;
        Assert.Equal(ip, ClusterIp(read));
    }

    [Fact]
    public async Task Cluster_ips_are_never_handed_out_twice()
    {
        var ips = new HashSet<string> { "10.96.0.1" };
        for (var i = 0; i < 40; i++)
        {
            Assert.True(ips.Add(ClusterIp(await CreateOkAsync(Services, Service($"s{i}")))));
        }
    }

    [Fact]
    public async Task The_kubernetes_service_holds_the_first_address()
    {
        var kubernetes = (await GetAsync(Services + "/kubernetes")).Json!;
        Assert.Equal("10.96.0.1", ClusterIp(kubernetes));
        Assert.Equal(6443, kubernetes["spec"]!["ports"]![0]!["targetPort"]!.GetValue<int>());

        var taken = await PostAsync(Services, Service("steal", clusterIp: "10.96.0.1"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, taken.Status);
    }

    [Fact]
    public async Task A_requested_free_ip_is_honoured_and_a_taken_one_is_refused_with_the_real_message()
    {
        Assert.Equal("10.96.0.10", ClusterIp(await CreateOkAsync(Services, Service("dns", clusterIp: "10.96.0.10"))));

        var taken = await PostAsync(Services, Service("other", clusterIp: "10.96.0.10"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, taken.Status);
        Assert.Equal("Invalid", taken.Reason);
        Assert.Equal("""Service "other" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated""", taken.Message);

        var outside = await PostAsync(Services, Service("outside", clusterIp: "1.1.1.1"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, outside.Status);
        Assert.Equal("""Service "outside" is invalid: spec.clusterIPs: Invalid value: []string{"1.1.1.1"}: failed to allocate IP 1.1.1.1: the provided IP (1.1.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12""", outside.Message);

        var garbage = await PostAsync(Services, Service("garbage", clusterIp: "10.96.0.300"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, garbage.Status);
        Assert.Contains("spec.clusterIPs[0]: Invalid value: \"10.96.0.300\": must be a valid IP address", garbage.Message);

        // Refused requests took nothing: the free address stays free.
        Assert.Equal("10.96.0.11", ClusterIp(await CreateOkAsync(Services, Service("after", clusterIp: "10.96.0.11"))));
    }

    [Fact]
    public async Task A_deleted_service_releases_its_ip()
    {
        await CreateOkAsync(Services, Service("first", clusterIp: "10.100.1.2"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await PostAsync(Services, Service("second", clusterIp: "10.100.1.2"))).Status);

        Assert.Equal(HttpStatusCode.OK, (await DeleteAsync(Services + "/first")).Status);

        Assert.Equal("10.100.1.2", ClusterIp(await CreateOkAsync(Services, Service("second", clusterIp: "10.100.1.2"))));
    }

    [Fact]
    public async Task A_dry_run_or_failed_create_keeps_no_ip()
    {
        var dryRun = await SendAsync(HttpMethod.Post, Services + "?dryRun=All", Service("dry"));
        Assert.Equal(HttpStatusCode.Created, dryRun.Status);
        var shown = ClusterIp(dryRun.Json!);
        Assert.True(InServiceCidr(shown), shown);

        await CreateOkAsync(Services, Service("twin", clusterIp: "10.100.2.4"));
        var duplicateName = await PostAsync(Services, Service("twin", clusterIp: "10.100.2.5"));
        Assert.Equal(HttpStatusCode.Conflict, duplicateName.Status);

        Assert.Equal(shown, ClusterIp(await CreateOkAsync(Services, Service("real", clusterIp: shown))));
        Assert.Equal("10.100.2.5", ClusterIp(await CreateOkAsync(Services, Service("other", clusterIp: "10.100.2.5"))));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await PostAsync(Services, Service("third", clusterIp: "10.100.2.5"))).Status);
    }

    [Fact]
    public async Task An_update_that_omits_the_cluster_ip_keeps_it_and_one_that_changes_it_is_refused()
    {
        var created = await CreateOkAsync(Services, Service("web"));
        var ip = ClusterIp(created);

        // A PUT of the original manifest, without the allocated fields, as a client-side apply sends it.
        var manifest = Service("web");
        manifest["metadata"]!["resourceVersion"] = Rv(created);
        manifest["spec"]!["ports"]![0]!["port"] = 81;
        var updated = await PutAsync(Services + "/web", manifest);
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal(ip, ClusterIp(updated.Json!));
        Assert.Equal($$"""["{{ip}}"]""", updated.Json!["spec"]!["clusterIPs"]!.ToJsonString());

        var changed = await PatchAsync(Services + "/web", JsonNode.Parse("""{"spec":{"clusterIP":"10.100.9.9","clusterIPs":["10.100.9.9"]}}""")!);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, changed.Status);
        Assert.Equal("""Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.100.9.9"}: may not change once set""", changed.Message);

        // Changing only the singular field means the same to the server.
        var singular = await PatchAsync(Services + "/web", JsonNode.Parse("""{"spec":{"clusterIP":"10.100.9.9"}}""")!);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, singular.Status);
        Assert.Contains("may not change once set", singular.Message);
    }

    [Fact]
    public async Task Headless_services_get_no_ip()
    {
        var headless = await CreateOkAsync(Services, Service("db", clusterIp: "None"));
        Assert.Equal("None", ClusterIp(headless));
        Assert.Equal("""["None"]""", headless["spec"]!["clusterIPs"]!.ToJsonString());
        Assert.Equal("""["IPv4"]""", headless["spec"]!["ipFamilies"]!.ToJsonString());
        Assert.Equal("SingleStack", headless["spec"]!["ipFamilyPolicy"]!.GetValue<string>());

        // Headless and selectorless: upstream makes these RequireDualStack with both families.
        var selectorless = Service("external", clusterIp: "None");
        ((JsonObject)selectorless["spec"]!).Remove("selector");
        var created = await CreateOkAsync(Services, selectorless);
        Assert.Equal("RequireDualStack", created["spec"]!["ipFamilyPolicy"]!.GetValue<string>());
        Assert.Equal("""["IPv4","IPv6"]""", created["spec"]!["ipFamilies"]!.ToJsonString());
    }

    [Fact]
    public async Task External_name_services_get_no_ip_and_dual_stack_is_refused_on_this_single_stack_cluster()
    {
        var externalName = Service("mail", type: "ExternalName");
        externalName["spec"]!["externalName"] = "mail.example.com";
        var created = await CreateOkAsync(Services, externalName);
        Assert.Null(created["spec"]!["clusterIP"]);
        Assert.Null(created["spec"]!["ipFamilies"]);

        var dual = Service("dual");
        dual["spec"]!["ipFamilyPolicy"] = "RequireDualStack";
        var refused = await PostAsync(Services, dual);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        Assert.Contains("spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": this cluster is not configured for dual-stack services", refused.Message);
    }

    [Fact]
    public async Task Node_port_services_get_a_node_port_from_the_range_and_keep_it_on_update()
    {
        var created = await CreateOkAsync(Services, Service("np", type: "NodePort"));
        var port = created["spec"]!["ports"]![0]!;
        var nodePort = port["nodePort"]!.GetValue<int>();
        Assert.InRange(nodePort, 30000, 32767);
        Assert.Equal("Cluster", created["spec"]!["externalTrafficPolicy"]!.GetValue<string>());

        var manifest = Service("np", type: "NodePort");
        manifest["metadata"]!["resourceVersion"] = Rv(created);
        var updated = await PutAsync(Services + "/np", manifest);
        Assert.Equal(nodePort, updated.Json!["spec"]!["ports"]![0]!["nodePort"]!.GetValue<int>());

        var taken = await PostAsync(Services, Service("np2", type: "NodePort", nodePort: nodePort));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, taken.Status);
        Assert.Equal($"""Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: {nodePort}: provided port is already allocated""", taken.Message);

        var outside = await PostAsync(Services, Service("np3", type: "NodePort", nodePort: 8080));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, outside.Status);
        Assert.Contains("provided port is not in the valid range. The range of valid ports is 30000-32767", outside.Message);

        await DeleteAsync(Services + "/np");
        var reused = await CreateOkAsync(Services, Service("np4", type: "NodePort", nodePort: nodePort));
        Assert.Equal(nodePort, reused["spec"]!["ports"]![0]!["nodePort"]!.GetValue<int>());
    }

    [Fact]
    public async Task Changing_to_external_name_gives_the_ip_back_and_an_external_name_may_not_carry_one()
    {
        await CreateOkAsync(Services, Service("web", clusterIp: "10.100.4.5"));

        var changed = await PatchAsync(Services + "/web", JsonNode.Parse("""{"spec":{"type":"ExternalName","externalName":"web.example.com"}}""")!);
        Assert.Equal(HttpStatusCode.OK, changed.Status);
        Assert.Null(changed.Json!["spec"]!["clusterIP"]);
        Assert.Null(changed.Json["spec"]!["ipFamilies"]);
        Assert.Equal("10.100.4.5", ClusterIp(await CreateOkAsync(Services, Service("next", clusterIp: "10.100.4.5"))));

        var withIp = Service("alias", clusterIp: "10.100.4.6", type: "ExternalName");
        withIp["spec"]!["externalName"] = "alias.example.com";
        var refused = await PostAsync(Services, withIp);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        Assert.Equal("Service \"alias\" is invalid: spec.clusterIPs: Forbidden: may not be set for ExternalName services", refused.Message);
    }

    [Fact]
    public async Task A_service_deleted_with_its_namespace_releases_its_ip()
    {
        await CreateOkAsync("/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "team" } });
        await CreateOkAsync("/api/v1/namespaces/team/services", Service("web", clusterIp: "10.100.3.4"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await PostAsync(Services, Service("web", clusterIp: "10.100.3.4"))).Status);

        await DeleteAsync("/api/v1/namespaces/team");
        await EventuallyAsync(async () => (await GetAsync("/api/v1/namespaces/team")).Status == HttpStatusCode.NotFound, "the namespace to be gone");

        Assert.Equal("10.100.3.4", ClusterIp(await CreateOkAsync(Services, Service("web", clusterIp: "10.100.3.4"))));
    }
}
