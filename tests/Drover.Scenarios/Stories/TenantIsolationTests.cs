using System.Text;
using System.Text.Json.Nodes;
using Drover.Operator.Cluster;
using Drover.Scenarios.Packaging;
using Drover.Scenarios.Support;
using Xunit.Abstractions;

namespace Drover.Scenarios.Stories;

/// <summary>
/// A tenant who may create Drover resources in their own namespace, trying to harm others: an object the operator
/// cannot read, Agents named like objects that are not theirs, a provider naming a Secret nobody offered, and a
/// platform team taking access away.
/// </summary>
public sealed class TenantIsolationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_undecodable_Agent_does_not_stop_the_watch_and_Agents_named_like_foreign_objects_leave_them_untouched()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        await scenario.ApplyYamlAsync(Manifests.Secret("openai-key", "api-key", "sk-1") + "\n---\n" + Manifests.OpenAIProvider("openai", "openai-key"));

        // Objects of another team (no owner, not Drover's), named as an agent's children would be.
        var foreign = new (string Path, JsonObject Body)[]
        {
            ("/api/v1/namespaces/default/serviceaccounts", Foreign("v1", "ServiceAccount", "squatter")),
            ("/api/v1/namespaces/default/secrets", Foreign("v1", "Secret", "squatter-config", new JsonObject { ["stringData"] = new JsonObject { ["owner"] = "someone else" } })),
            ("/api/v1/namespaces/default/services", Foreign("v1", "Service", "squatter", new JsonObject { ["spec"] = new JsonObject { ["ports"] = new JsonArray(new JsonObject { ["port"] = 80 }) } })),
            ("/apis/networking.k8s.io/v1/namespaces/default/networkpolicies", Foreign("networking.k8s.io/v1", "NetworkPolicy", "squatter", new JsonObject { ["spec"] = new JsonObject { ["podSelector"] = new JsonObject() } })),
        };
        foreach (var (path, body) in foreign)
        {
            await scenario.Client.SendJsonAsync(HttpMethod.Post, path, body, "application/json", CancellationToken.None);
        }

        var before = new List<string>();
        foreach (var (path, body) in foreign)
        {
            before.Add((await scenario.Client.SendJsonAsync(HttpMethod.Get, $"{path}/{body["metadata"]!["name"]}", null, "application/json", CancellationToken.None))!.ToJsonString());
        }

        // Stored past every check, as from an older CRD or a bug: an integer no C# int holds.
        scenario.Server.Faults.InjectObject("drover.dev", "v1alpha1", "agents", """
            {"apiVersion":"drover.dev/v1alpha1","kind":"Agent","metadata":{"name":"poison","namespace":"default"},
             "spec":{"image":"x","model":{"providerRef":{"name":"openai"}},"network":{"allow":[{"cidr":"10.0.0.0/8","ports":[4294967296]}]}}}
            """);
        await scenario.StartOperatorAsync();
        await scenario.ApplyYamlAsync(Manifests.Agent("after", "openai") + "\n---\n" + Manifests.Agent("squatter", "openai", extra: "  port: 8080"));

        await scenario.WaitForAgentAsync("after", "True", "Available");
        var squatter = await scenario.WaitForAgentAsync("squatter", "False", "NameConflict");
        Assert.Contains("does not control it", squatter.Status!.Conditions!.Single(c => c.Type == "Ready").Message, StringComparison.Ordinal);
        Assert.NotEmpty(await scenario.WarningsAsync("squatter", "NameConflict"));

        await scenario.ResyncAndSettleAsync();
        for (var i = 0; i < foreign.Length; i++)
        {
            var (path, body) = foreign[i];
            var now = (await scenario.Client.SendJsonAsync(HttpMethod.Get, $"{path}/{body["metadata"]!["name"]}", null, "application/json", CancellationToken.None))!.ToJsonString();
            Assert.Equal(before[i], now);
        }

        Assert.Null(await scenario.GetAsync(OperatorKinds.Deployments, "squatter"));
    }

    [Fact]
    public async Task A_Secret_nobody_offered_is_never_copied_and_access_taken_away_takes_the_key_out_of_the_pods()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        await scenario.ApplyYamlAsync($$"""
            apiVersion: v1
            kind: Namespace
            metadata:
              name: models
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: default
              labels: {drover.dev/models: allowed}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: platform-db-password, namespace: default}
            stringData: {password: hunter2-not-offered}
            """);
        await scenario.ApplyYamlAsync(
            Manifests.OpenAIProvider("sneaky", "platform-db-password", key: "password") + "\n---\n"
            + Manifests.Secret("shared-key", "api-key", "sk-shared-platform-key", ns: "models") + "\n---\n"
            + Manifests.OpenAIProvider("shared", "shared-key", ns: "models", allowed: "{from: Selector, selector: {matchLabels: {drover.dev/models: allowed}}}"));
        await scenario.StartOperatorAsync();
        await scenario.ApplyYamlAsync(Manifests.Agent("thief", "sneaky") + "\n---\n" + Manifests.Agent("user", "shared", providerNamespace: "models"));

        var sneaky = await scenario.WaitForProviderAsync("sneaky", "False", "SecretNotLabelled");
        Assert.Contains("kubectl -n default label secret platform-db-password drover.dev/provider-credentials=true", string.Concat(sneaky.Status!.Conditions!.Select(c => c.Message)), StringComparison.Ordinal);
        await scenario.WaitForAgentAsync("user", "True", "Available");
        Assert.Empty(await WhereAsync(scenario, "hunter2-not-offered"));
        Assert.Contains("default/Secret/user-config", await WhereAsync(scenario, "sk-shared-platform-key"));

        // The platform team stops offering the provider to this namespace: the key leaves the agent's Secret and pods.
        await scenario.ApplyYamlAsync(Manifests.Namespace("default", "{drover.dev/models: retired}"));
        await Eventually.TrueAsync(
            async () => (await WhereAsync(scenario, "sk-shared-platform-key")).Count == 0,
            "the shared key to leave every object outside its own namespace",
            TimeSpan.FromSeconds(10));
        await scenario.WaitForAgentAsync("user", "False", "ProviderNotAllowed");
    }

    [PackagingFact(PackagingTool.Kubectl)]
    public async Task Out_of_range_integers_are_refused_by_the_schema_before_any_operator_reads_them()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        using var kubectl = new Kubectl(scenario.Server);

        foreach (var (field, yaml) in new[]
        {
            ("spec.network.allow[0].ports[0]", "  network:\n    allow: [{cidr: 10.0.0.0/8, ports: [4294967296]}]"),
            ("spec.port", "  port: 70000"),
            ("spec.budget.tokensPerDay", "  budget: {tokensPerDay: -1}"),
        })
        {
            var result = await kubectl.RunAsync(["apply", "-f", "-"], Manifests.Agent("overflow", "openai", extra: yaml));

            Assert.True(result.ExitCode != 0, result.Describe());
            Assert.Contains("Invalid value", result.StandardError, StringComparison.Ordinal);
            Assert.Contains(field, result.StandardError, StringComparison.Ordinal);
        }

        Assert.Null(await scenario.GetAsync(OperatorKinds.Agents, "overflow"));
    }

    private static JsonObject Foreign(string apiVersion, string kind, string name, JsonObject? extra = null)
    {
        var body = new JsonObject
        {
            ["apiVersion"] = apiVersion,
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default", ["labels"] = new JsonObject { ["team"] = "b" } },
        };
        foreach (var (key, value) in extra ?? [])
        {
            body[key] = value!.DeepClone();
        }

        return body;
    }

    /// <summary>Every Secret, ConfigMap and pod template in every namespace holding <paramref name="value"/>, in any encoding we store.</summary>
    private static async Task<List<string>> WhereAsync(OperatorScenario scenario, string value)
    {
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
        var found = new List<string>();
        foreach (var (path, kind) in new[] { ("/api/v1/secrets", "Secret"), ("/api/v1/configmaps", "ConfigMap"), ("/apis/apps/v1/deployments", "Deployment"), ("/apis/batch/v1/cronjobs", "CronJob"), ("/api/v1/pods", "Pod") })
        {
            var list = await scenario.Client.SendJsonAsync(HttpMethod.Get, path, null, "application/json", CancellationToken.None);
            foreach (var item in list?["items"]?.AsArray() ?? [])
            {
                var text = item!.ToJsonString();
                if (text.Contains(value, StringComparison.Ordinal) || text.Contains(base64, StringComparison.Ordinal))
                {
                    found.Add($"{item["metadata"]?["namespace"]}/{kind}/{item["metadata"]?["name"]}");
                }
            }
        }

        // The one Secret that may hold a value is the one it was put in.
        found.RemoveAll(f => f is "default/Secret/platform-db-password" or "models/Secret/shared-key");
        return found;
    }
}
