using System.Text.Json.Nodes;
using Drover.DevCluster;
using Drover.DevCluster.Access;
using Drover.Operator.Agents;
using Drover.Operator.Cluster;
using Drover.Operator.Hosting;
using Drover.Scenarios.Support;
using Xunit.Abstractions;

namespace Drover.Scenarios.Stories;

/// <summary>
/// The operator under exactly the RBAC it ships (config/rbac, generated from its code) on a dev cluster that authorizes
/// every request and enforces owner-reference permissions as OpenShift does: the samples converge, every child is
/// created, nothing it asks for is refused, and every verb either role grants is needed by some request or admission
/// check, so the roles hold nothing the operator does not use.
/// </summary>
public sealed class OperatorRbacTests(ITestOutputHelper output)
{
    private const string OperatorUser = "system:serviceaccount:drover-system:drover";

    [Fact]
    public async Task Under_its_generated_roles_with_owner_reference_enforcement_the_operator_converges_is_never_refused_and_uses_every_grant()
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

        // Beside the samples: an agent reading its instructions from a ConfigMap (referenced reads), one with a
        // workspace and a port that it later gives up (claims and Services created, then pruned), and one whose
        // ConfigMap is missing, so the same Warning recurs on every resync and joins a series (Events are patched).
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
            ---
            apiVersion: drover.dev/v1alpha1
            kind: Agent
            metadata: {name: keeper}
            spec:
              image: ghcr.io/example/agent:1
              model: {providerRef: {name: openai}}
              port: 8080
              storage: {size: 1Gi, whenDeleted: Delete}
            ---
            apiVersion: drover.dev/v1alpha1
            kind: Agent
            metadata: {name: lost}
            spec:
              image: ghcr.io/example/agent:1
              model: {providerRef: {name: openai}}
              instructionsFrom:
                configMapKeyRef: {name: nowhere, key: system}
            """);

        await scenario.StartOperatorAsync(
            new RunOptions { Workers = 2, LeaderElect = true, LeaderElectionNamespace = "drover-system", ResyncPeriod = TimeSpan.FromSeconds(2) },
            OperatorScenario.ClientOf(scenario.Server, "operator-token"));
        await scenario.WaitForAgentAsync("echo", "True", "Available");
        await scenario.WaitForAgentAsync("reader", "True", "Available");
        await scenario.WaitForAgentAsync("keeper", "True", "Available");
        await scenario.WaitForAgentAsync("lost", "False", AgentReasons.InstructionsNotFound);
        await scenario.WaitForScheduleAsync("morning-summary", "True", "Scheduled");
        Assert.NotNull(await scenario.GetAsync(OperatorKinds.PersistentVolumeClaims, "keeper-workspace"));
        Assert.NotNull(await scenario.GetAsync(OperatorKinds.Services, "keeper"));

        // Every child carries a controller reference with blockOwnerDeletion, which the enforcement only allowed
        // because the role grants update on the owners' finalizers and delete on the children.
        foreach (var path in new[] { "/apis/apps/v1/namespaces/default/deployments/echo", "/api/v1/namespaces/default/secrets/echo-config", "/apis/batch/v1/namespaces/default/cronjobs/morning-summary" })
        {
            var child = await scenario.Client.SendJsonAsync(HttpMethod.Get, path, null, "application/json", CancellationToken.None);
            Assert.True((bool?)child!["metadata"]!["ownerReferences"]![0]!["blockOwnerDeletion"], path);
        }

        await scenario.ApplyYamlAsync(Manifests.Agent("keeper", "openai", model: null, runOnce: false));
        await Eventually.TrueAsync(
            async () => await scenario.GetAsync(OperatorKinds.PersistentVolumeClaims, "keeper-workspace") is null && await scenario.GetAsync(OperatorKinds.Services, "keeper") is null,
            "the workspace claim and the Service the keeper gave up to be pruned");

        // Every verb the roles grant is needed by some decision: a request of the operator, or a check the
        // OwnerReferencesPermissionEnforcement plugin made on its behalf. The Event series is written back at most
        // every 30 s, so this waits for the first repeat after that.
        var granted = new[] { role, own }.SelectMany(r => r["rules"]!.AsArray()).SelectMany(rule => rule!["resources"]!.AsArray().SelectMany(resource =>
            rule["verbs"]!.AsArray().Select(verb => ((string)rule["apiGroups"]![0]!, (string)resource!, (string)verb!)))).ToHashSet();
        HashSet<(string, string, string)> used = [];
        await Eventually.TrueAsync(
            () =>
            {
                used = scenario.Server.AuthorizationLog.Entries().Where(d => d.User == OperatorUser && d.Allowed).Select(d => (d.ApiGroup, d.Resource, d.Verb)).ToHashSet();
                return Task.FromResult(granted.IsSubsetOf(used));
            },
            "every granted verb to be used",
            timeout: TimeSpan.FromSeconds(90),
            describeLast: () => "unused: " + string.Join(", ", granted.Where(g => !used.Contains(g)).Select(g => $"{g.Item3} {g.Item1}/{g.Item2}")));

        Assert.Equal((0, 0), (scenario.Server.AuthorizationLog.Dropped, scenario.Server.RequestLog.Dropped));

        // Nothing the operator asked for was refused: no request of its answered 403, whether RBAC or the owner-reference
        // admission check said no. The authorization log names the grant that was missing.
        var refused = scenario.Server.RequestLog.Entries().Where(r => r.User == OperatorUser && r.StatusCode == 403).Select(r => $"{r.Verb} {r.Path}").Distinct().ToList();
        var missing = scenario.Server.AuthorizationLog.Entries().Where(d => d.User == OperatorUser && !d.Allowed)
            .Select(d => $"{d.Verb} {d.ApiGroup}/{d.Resource} {d.Namespace}/{d.Name} ({d.Check})").Distinct();
        Assert.True(refused.Count == 0, $"refused: {string.Join("; ", refused)}; missing grants: {string.Join("; ", missing)}");
    }
}
