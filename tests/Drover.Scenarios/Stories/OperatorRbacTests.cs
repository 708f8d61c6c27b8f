using System.Text.Json.Nodes;
using Drover.DevCluster;
using Drover.DevCluster.Access;
using Drover.Operator.Hosting;
using Drover.Scenarios.Support;
using Xunit.Abstractions;

namespace Drover.Scenarios.Stories;

/// <summary>
/// The operator under exactly the RBAC it ships (config/rbac, generated from its code) on a dev cluster that authorizes
/// every request and enforces owner-reference permissions as OpenShift does: the samples converge, nothing it asks
/// for is refused, and what it is granted to list and watch it does list and watch.
/// </summary>
public sealed class OperatorRbacTests(ITestOutputHelper output)
{
    private const string OperatorUser = "system:serviceaccount:drover-system:drover";

    [Fact]
    public async Task Under_its_generated_roles_with_owner_reference_enforcement_the_samples_converge_and_no_request_is_refused()
    {
        var cluster = new DevClusterOptions
        {
            SimulateKubelet = true,
            RolloutDelay = TimeSpan.FromMilliseconds(100),
            Tokens = new Dictionary<string, DevClusterUser>
            {
                ["admin-token"] = DevClusterUser.Admin(),
                ["operator-token"] = new(OperatorUser, "system:serviceaccounts", "system:serviceaccounts:drover-system"),
            },
            AuthorizeWithRbac = true,
            EnforceOwnerReferencesPermission = true,
        };
        await using var scenario = await OperatorScenario.CreateAsync(output, cluster: cluster, token: "admin-token");
        var role = YamlJson.Documents(File.ReadAllText(Repository.Path("config", "rbac", "role.yaml"))).Single();
        var own = YamlJson.Documents(File.ReadAllText(Repository.Path("config", "rbac", "leader_election_role.yaml"))).Single();
        own["metadata"]!["namespace"] = "drover-system";
        await scenario.ApplyYamlAsync("""
            apiVersion: v1
            kind: Namespace
            metadata: {name: drover-system}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: drover}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: drover}
            subjects: [{kind: ServiceAccount, name: drover, namespace: drover-system}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: drover-leader-election, namespace: drover-system}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: drover-leader-election}
            subjects: [{kind: ServiceAccount, name: drover, namespace: drover-system}]
            """);
        await scenario.ApplyAsync([role, own]);
        await scenario.ApplyAsync(YamlJson.Files(Repository.Path("config", "samples")).Where(d => (string?)d["kind"] != "Kustomization"));

        // An agent reading its instructions from a ConfigMap, so the operator's referenced-object reads are exercised too.
        await scenario.ApplyYamlAsync("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: reader-instructions}
            data: {system: "Answer briefly."}
            ---
            apiVersion: drover.dev/v1alpha1
            kind: Agent
            metadata: {name: reader}
            spec:
              image: ghcr.io/example/agent:1
              model: {providerRef: {name: openai}}
              instructionsFrom:
                configMapKeyRef: {name: reader-instructions, key: system}
            """);

        await scenario.StartOperatorAsync(
            new RunOptions { Workers = 2, LeaderElectionNamespace = "drover-system" },
            OperatorScenario.ClientOf(scenario.Server, "operator-token"));
        await scenario.WaitForAgentAsync("echo", "True", "Available");
        await scenario.WaitForAgentAsync("reader", "True", "Available");
        await scenario.WaitForScheduleAsync("morning-summary", "True", "Scheduled");

        var requests = scenario.Server.RequestLog.Entries().Where(r => r.User == OperatorUser && r.IsResourceRequest).ToList();
        Assert.NotEmpty(requests);
        var refused = requests.Where(r => r.StatusCode is 401 or 403).Select(r => $"{r.Verb} {r.ApiGroup}/{r.Resource} {r.Namespace}/{r.Name} -> {r.StatusCode}").Distinct().ToList();
        Assert.True(refused.Count == 0, "refused: " + string.Join("; ", refused));

        // Every child carries a controller reference with blockOwnerDeletion, which the enforcement only allowed
        // because the role grants update on the owners' finalizers and delete on the children.
        foreach (var path in new[] { "/apis/apps/v1/namespaces/default/deployments/echo", "/api/v1/namespaces/default/secrets/echo-config", "/apis/batch/v1/namespaces/default/cronjobs/morning-summary" })
        {
            var child = await scenario.Client.SendJsonAsync(HttpMethod.Get, path, null, "application/json", CancellationToken.None);
            Assert.True((bool?)child!["metadata"]!["ownerReferences"]![0]!["blockOwnerDeletion"], path);
        }

        // What the role grants to list and watch, the operator lists and watches: no read permission is left unused. A
        // watch is logged when it ends, so the operator stops first.
        await scenario.Operator!.Host.StopAsync(CancellationToken.None);
        var granted = role["rules"]!.AsArray().SelectMany(rule => rule!["resources"]!.AsArray().SelectMany(resource => rule["verbs"]!.AsArray()
            .Select(v => (string)v!).Where(v => v is "list" or "watch").Select(v => ((string)rule["apiGroups"]![0]!, (string)resource!, v)))).ToList();
        HashSet<(string, string, string)> used = [];
        await Eventually.TrueAsync(
            () =>
            {
                used = scenario.Server.RequestLog.Entries().Where(r => r.User == OperatorUser).Select(r => (r.ApiGroup, r.Resource, r.Verb)).ToHashSet();
                return Task.FromResult(granted.All(used.Contains));
            },
            "every granted list and watch to be used",
            describeLast: () => "unused: " + string.Join(", ", granted.Where(g => !used.Contains(g))));
        foreach (var rule in role["rules"]!.AsArray())
        {
            var group = (string)rule!["apiGroups"]![0]!;
            foreach (var resource in rule["resources"]!.AsArray().Select(r => (string)r!))
            {
                foreach (var verb in rule["verbs"]!.AsArray().Select(v => (string)v!).Where(v => v is "list" or "watch"))
                {
                    Assert.True(used.Contains((group, resource, verb)), $"granted {verb} on {group}/{resource} but never used");
                }
            }
        }
    }
}
