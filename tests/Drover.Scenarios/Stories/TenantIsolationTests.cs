using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Drover.Operator.Agents;
using Drover.Operator.Children;
using Drover.Operator.Cluster;
using Drover.Operator.Hosting;
using Drover.Scenarios.Packaging;
using Drover.Scenarios.Support;
using Xunit.Abstractions;

namespace Drover.Scenarios.Stories;

/// <summary>
/// A tenant who may create Drover resources in their own namespace, trying to harm others: an object the operator
/// cannot read, Agents named like objects that are not theirs, a provider naming a Secret nobody offered, a platform
/// team taking access away or deleting a provider, and a viewer guessing a weak key offline.
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
        await Eventually.TrueAsync(async () => (await scenario.WarningsAsync("squatter", "NameConflict")).Count > 0, "a NameConflict Warning Event about the squatting Agent");

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
        Assert.Empty(await WhereAsync(scenario, "hunter2-not-offered", "default/Secret/platform-db-password"));
        Assert.Contains("default/Secret/user-config", await WhereAsync(scenario, "sk-shared-platform-key", "models/Secret/shared-key"));

        // The platform team stops offering the provider to this namespace: the key leaves the agent's Secret and pods.
        await scenario.ApplyYamlAsync(Manifests.Namespace("default", "{drover.dev/models: retired}"));
        await Eventually.TrueAsync(
            async () => (await WhereAsync(scenario, "sk-shared-platform-key", "models/Secret/shared-key")).Count == 0,
            "the shared key to leave every object outside its own namespace",
            TimeSpan.FromSeconds(10));
        await scenario.WaitForAgentAsync("user", "False", "ProviderNotAllowed");
    }

    [Fact]
    public async Task Deleting_a_provider_takes_its_key_out_of_every_consumer_and_rolls_the_pods_off_it_within_seconds()
    {
        const string Deleted = "sk-primary-soon-deleted";
        await using var scenario = await OperatorScenario.CreateAsync(output);
        await scenario.ApplyYamlAsync(
            Manifests.Secret("primary-key", "api-key", Deleted) + "\n---\n" + Manifests.OpenAIProvider("primary", "primary-key") + "\n---\n"
            + Manifests.Secret("backup-key", "api-key", "sk-backup-stays") + "\n---\n" + Manifests.OpenAIProvider("backup", "backup-key") + "\n---\n"
            + Manifests.Agent("solo", "primary") + "\n---\n" + Manifests.Schedule("nightly", "solo") + "\n---\n"
            + """
            apiVersion: drover.dev/v1alpha1
            kind: Agent
            metadata: {name: chained, namespace: default}
            spec:
              image: ghcr.io/drover-dev/echo-agent:0.1.0
              model:
                providerRef: {name: primary}
                name: gpt-4o-mini
                fallbacks: [{providerRef: {name: backup}, name: gpt-4o-mini}]
            """);
        await scenario.StartOperatorAsync();
        await scenario.WaitForAgentAsync("solo", "True", "Available");
        await scenario.WaitForAgentAsync("chained", "True", "Available");
        await scenario.WaitForScheduleAsync("nightly", "True", "Scheduled");
        var consumers = await WhereAsync(scenario, Deleted, "default/Secret/primary-key");
        Assert.Contains("default/Secret/solo-config", consumers);
        Assert.Contains("default/Secret/chained-config", consumers);
        var chainedHash = ConfigHash(await scenario.GetAsync(OperatorKinds.Deployments, "chained"));

        Assert.True(await scenario.DeleteAsync(OperatorKinds.ModelProviders, "primary"));

        await Eventually.TrueAsync(
            async () => (await WhereAsync(scenario, Deleted, "default/Secret/primary-key")).Count == 0,
            "the deleted provider's key to leave every Secret, ConfigMap, Deployment, CronJob and Pod",
            TimeSpan.FromSeconds(10));
        // The agent with nothing left stops; the one with a fallback rolls onto it, and no pod still runs on the old
        // configuration (environment variables from a Secret are read once, when a container starts).
        await Eventually.TrueAsync(
            async () => (await scenario.GetAsync(OperatorKinds.Deployments, "solo"))!.Spec.Replicas == 0,
            "the agent whose only provider is gone to scale to zero",
            TimeSpan.FromSeconds(10));
        await scenario.WaitForAgentAsync("solo", "False", AgentReasons.ProviderNotFound);
        await Eventually.TrueAsync(
            async () =>
            {
                var hash = ConfigHash(await scenario.GetAsync(OperatorKinds.Deployments, "chained"));
                var pods = (await scenario.ListAsync(OperatorKinds.Pods)).Where(p => p.Metadata.Name.StartsWith("chained-", StringComparison.Ordinal)).ToList();
                return hash != chainedHash && pods.Count > 0 && pods.All(p => Annotation(p.Metadata) == hash);
            },
            "the agent with a fallback to roll onto a configuration without the deleted provider",
            TimeSpan.FromSeconds(10));
        var secret = await scenario.GetAsync(OperatorKinds.Secrets, "chained-config");
        Assert.Contains(secret!.Data!.Values, v => Encoding.UTF8.GetString(v) == "sk-backup-stays");
    }

    [Fact]
    public async Task Nothing_a_viewer_can_read_confirms_a_guessed_key_without_the_operators_digest_key()
    {
        // A weak key a tenant with the built-in view role (every object but Secrets) might try to confirm offline.
        const string Weak = "sk-1234";
        await using var scenario = await OperatorScenario.CreateAsync(output);
        await scenario.ApplyYamlAsync(
            Manifests.Secret("weak-key", "api-key", Weak) + "\n---\n" + Manifests.OpenAIProvider("weak", "weak-key") + "\n---\n"
            + Manifests.Agent("a", "weak", extra: "  port: 8080") + "\n---\n" + Manifests.Schedule("nightly", "a"));
        await scenario.StartOperatorAsync();
        await scenario.WaitForAgentAsync("a", "True", "Available");
        await scenario.WaitForScheduleAsync("nightly", "True", "Scheduled");
        var provider = await scenario.WaitForProviderAsync("weak", "True", "Resolved");

        // What the viewer would compute for each guess: the key and the operator's own serialization of it, hashed by
        // every common unkeyed function, in hex and base64; any 8 leading hex characters would do to confirm it.
        var guesses = new List<string> { Weak, Convert.ToBase64String(Encoding.UTF8.GetBytes(Weak)) };
        foreach (var material in new[] { Weak, "apiKey\0" + Weak })
        {
            var bytes = Encoding.UTF8.GetBytes(material);
#pragma warning disable CA5350, CA5351 // The guesser's weak hashes, computed to show they find nothing.
            foreach (var digest in new[] { MD5.HashData(bytes), SHA1.HashData(bytes), SHA256.HashData(bytes), SHA384.HashData(bytes), SHA512.HashData(bytes) })
#pragma warning restore CA5350, CA5351
            {
                guesses.Add(Convert.ToHexStringLower(digest)[..8]);
                guesses.Add(Convert.ToHexString(digest)[..8]);
                guesses.Add(Convert.ToBase64String(digest)[..8]);
            }
        }

        var readable = new List<(string Where, string Value)>();
        foreach (var path in new[]
        {
            "/apis/drover.dev/v1alpha1/agents", "/apis/drover.dev/v1alpha1/modelproviders", "/apis/drover.dev/v1alpha1/schedules", "/apis/apps/v1/deployments",
            "/apis/apps/v1/replicasets", "/api/v1/pods", "/apis/batch/v1/cronjobs", "/apis/batch/v1/jobs", "/api/v1/configmaps", "/api/v1/services",
            "/api/v1/serviceaccounts", "/apis/networking.k8s.io/v1/networkpolicies", "/apis/events.k8s.io/v1/events",
        })
        {
            var list = await scenario.Client.SendJsonAsync(HttpMethod.Get, path, null, "application/json", CancellationToken.None);
            foreach (var item in list?["items"]?.AsArray() ?? [])
            {
                Strings(item, $"{path}/{item?["metadata"]?["namespace"]}/{item?["metadata"]?["name"]}", readable);
            }
        }

        var confirming = readable.Where(r => guesses.Any(g => r.Value.Contains(g, StringComparison.Ordinal))).Select(r => $"{r.Where}: {r.Value}").ToList();
        Assert.True(confirming.Count == 0, "readable values that confirm the key: " + string.Join("; ", confirming));

        // With the operator's digest key the same status field does confirm it, so the search above looked where a
        // digest of the key is.
        var digestKey = (await scenario.GetAsync(OperatorKinds.Secrets, DigestKeys.SecretName))!.Data![DigestKeys.DataKey];
        Assert.Equal(Convert.ToHexStringLower(HMACSHA256.HashData(digestKey, Encoding.UTF8.GetBytes("apiKey\0" + Weak)))[..16], provider.Status!.CredentialsHash);
        Assert.Contains(readable, r => r.Value == provider.Status.CredentialsHash);
    }

    private static string? ConfigHash(k8s.Models.V1Deployment? deployment) => Annotation(deployment?.Spec.Template.Metadata);

    private static string? Annotation(k8s.Models.V1ObjectMeta? meta) =>
        meta?.Annotations is { } annotations && annotations.TryGetValue(ChildLabels.ConfigHashAnnotation, out var value) ? value : null;

    private static void Strings(JsonNode? node, string where, List<(string Where, string Value)> into)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    into.Add((where, key));
                    Strings(value, where + "." + key, into);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Strings(item, where, into);
                }

                break;
            case JsonValue value when value.TryGetValue<string>(out var text):
                into.Add((where, text));
                break;
        }
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

    /// <summary>
    /// Every Secret, ConfigMap and pod template in every namespace holding <paramref name="value"/>, in any encoding we
    /// store, but the Secrets it was put in (<paramref name="home"/>, as namespace/Secret/name).
    /// </summary>
    private static async Task<List<string>> WhereAsync(OperatorScenario scenario, string value, params string[] home)
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

        found.RemoveAll(home.Contains);
        return found;
    }
}
