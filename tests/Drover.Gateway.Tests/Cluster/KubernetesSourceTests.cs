using System.ClientModel;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Client;
using Drover.DevCluster;
using Drover.Gateway.Configuration;
using Drover.Gateway.Hosting;
using Drover.Gateway.Status;
using Drover.Gateway.Tests.Proxy;
using Drover.Gateway.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenAI.Chat;
using Xunit.Abstractions;

namespace Drover.Gateway.Tests.Cluster;

/// <summary>
/// The Kubernetes configuration source on the dev cluster: keys, providers and credentials flow from Secrets and
/// custom resources into the gateway, changes reach requests within seconds, and status.usage is written coalesced
/// and read back after a restart.
/// </summary>
public sealed class KubernetesSourceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private DevClusterServer _cluster = null!;
    private KubeApiClient _client = null!;
    private ScriptedUpstream _upstream = null!;

    public async Task InitializeAsync()
    {
        _cluster = await DevClusterServer.StartAsync(new DevClusterOptions());
        _client = new KubeApiClient(new HttpClient(), _cluster.BaseAddress);
        _upstream = await ScriptedUpstream.StartAsync();
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryRoot(), "crds"), "*.yaml"))
        {
            await _client.SendJsonAsync(HttpMethod.Post, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", YamlToJson(file), "application/json", CancellationToken.None);
        }

        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    var list = await _client.SendJsonAsync(HttpMethod.Get, "/apis/drover.dev/v1alpha1", null, "application/json", CancellationToken.None);
                    return list?["resources"]?.AsArray().Count >= 3;
                }
                catch (KubeApiException)
                {
                    return false;
                }
            },
            "the drover.dev CRDs to be served");
    }

    public async Task DisposeAsync()
    {
        await _upstream.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Keys_providers_and_credentials_flow_from_the_cluster_and_rotation_and_usage_follow()
    {
        await CreateAsync("/api/v1/namespaces/default/secrets", Secret("openai-credentials", "sk-first", GatewayLabels.ProviderCredentials));
        await CreateAsync("/apis/drover.dev/v1alpha1/namespaces/default/modelproviders", new JsonObject
        {
            ["apiVersion"] = "drover.dev/v1alpha1",
            ["kind"] = "ModelProvider",
            ["metadata"] = new JsonObject { ["name"] = "openai" },
            ["spec"] = new JsonObject
            {
                ["type"] = "OpenAI",
                ["endpoint"] = new Uri(_upstream.BaseAddress, "/v1").ToString(),
                ["apiKey"] = new JsonObject { ["secretKeyRef"] = new JsonObject { ["name"] = "openai-credentials", ["key"] = "api-key" } },
            },
        });
        var agent = await CreateAsync("/apis/drover.dev/v1alpha1/namespaces/default/agents", new JsonObject
        {
            ["apiVersion"] = "drover.dev/v1alpha1",
            ["kind"] = "Agent",
            ["metadata"] = new JsonObject { ["name"] = "writer" },
            ["spec"] = new JsonObject
            {
                ["image"] = "ghcr.io/example/agent:1",
                ["model"] = new JsonObject { ["providerRef"] = new JsonObject { ["name"] = "openai" }, ["name"] = "gpt-4o-mini", ["access"] = "Gateway" },
                ["budget"] = new JsonObject { ["tokensPerDay"] = 1_000_000 },
            },
        });
        const string Token = "drv_dev-cluster-key-0123456789abcdefghijklmnopqrstu";
        await CreateAsync("/api/v1/namespaces/default/secrets", KeySecret("writer", (string)agent!["metadata"]!["uid"]!, Token));

        var (gateway, runtime) = await StartGatewayAsync();
        var chat = new ChatClient("gpt-4o-mini", new ApiKeyCredential(Token), OpenAISdkTests.Options(GatewayEndpoint(gateway)));

        await chat.CompleteChatAsync([new UserChatMessage("hi")]);
        Assert.Equal("Bearer sk-first", _upstream.Received[^1].Header("authorization"));

        // A rotated provider key reaches requests within seconds, without a restart.
        await ReplaceSecretAsync("openai-credentials", "sk-second");
        await Eventually.TrueAsync(
            async () =>
            {
                await chat.CompleteChatAsync([new UserChatMessage("which key?")]);
                return _upstream.Received[^1].Header("authorization") == "Bearer sk-second";
            },
            "requests to carry the rotated provider key",
            TimeSpan.FromSeconds(10));

        // Usage lands in status.usage, coalesced: at most one write per interval (2 s here), never one per request.
        var writesBefore = runtime.Writer.Writes;
        var burst = Stopwatch.StartNew();
        for (var i = 0; i < 5; i++)
        {
            await chat.CompleteChatAsync([new UserChatMessage("count me")]);
        }

        var requests = _upstream.Received.Count;
        var written = await WaitForUsageAsync(u => u.Requests == requests);
        var burstWrites = runtime.Writer.Writes - writesBefore;
        Assert.Equal(385L * requests, written.InputTokens + written.OutputTokens);
        Assert.InRange(burstWrites, 1, 1 + (long)Math.Ceiling(burst.Elapsed / TimeSpan.FromSeconds(2)));

        // The gateway's own field manager owns what it wrote.
        var raw = await _client.SendJsonAsync(HttpMethod.Get, "/apis/drover.dev/v1alpha1/namespaces/default/agents/writer", null, "application/json", CancellationToken.None);
        Assert.Contains(raw!["metadata"]!["managedFields"]!.AsArray(), m => (string?)m!["manager"] == UsageStatusWriter.FieldManager && (string?)m["subresource"] == "status");

        // A budget that the next request spends: the crossing is announced with a Warning Event, status says so,
        // and the request after it is refused.
        await PatchBudgetAsync((385L * requests) + 100);
        await Eventually.TrueAsync(() => Task.FromResult(runtime.View.Agent("default", "writer")?.Spec.Budget?.TokensPerDay == (385L * requests) + 100), "the gateway to see the new budget");
        await chat.CompleteChatAsync([new UserChatMessage("the last one today")]);
        requests++;
        var refused = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("one more?")]));
        Assert.Equal(429, refused.Status);
        await Eventually.TrueAsync(async () => (await WarningsAsync("writer", "BudgetExhausted")).Count == 1, "a BudgetExhausted Warning Event");
        await WaitForUsageAsync(u => u.Requests == requests);
        var live = await _client.GetAsync(GatewayKinds.Agents, "default", "writer", CancellationToken.None);
        var withinBudget = Assert.Single(live!.Status!.Conditions!, c => c.Type == ConditionTypes.WithinBudget);
        Assert.Equal(("False", UsageStatus.ReasonExhausted), (withinBudget.Status, withinBudget.Reason));

        // After a restart the day's usage is read back from status and counting goes on from there.
        await gateway.StopAsync();
        await gateway.DisposeAsync();
        await PatchBudgetAsync(100_000);
        (var restarted, runtime) = await StartGatewayAsync();
        chat = new ChatClient("gpt-4o-mini", new ApiKeyCredential(Token), OpenAISdkTests.Options(GatewayEndpoint(restarted)));
        await chat.CompleteChatAsync([new UserChatMessage("after the restart")]);
        var resumed = await WaitForUsageAsync(u => u.Requests == requests + 1);
        Assert.Equal(385L * (requests + 1), resumed.InputTokens + resumed.OutputTokens);

        // A budget lowered below what the day has spent: no charge crosses it, yet the first refusal is announced
        // with a Warning Event (once, however many are refused) and status says so.
        await PatchBudgetAsync(100);
        await Eventually.TrueAsync(() => Task.FromResult(runtime.View.Agent("default", "writer")?.Spec.Budget?.TokensPerDay == 100), "the gateway to see the lowered budget");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(429, (await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("over budget?")]))).Status);
        }

        await Eventually.TrueAsync(async () => (await WarningsAsync("writer", "BudgetExhausted")).Count == 2, "a second BudgetExhausted Warning Event, for the lowered budget");
        await Eventually.TrueAsync(
            async () => (await _client.GetAsync(GatewayKinds.Agents, "default", "writer", CancellationToken.None))!.Status!.Conditions!.Any(c => c.Type == ConditionTypes.WithinBudget && c.Status == "False"),
            "WithinBudget=False for the lowered budget");
        Assert.Equal(2, (await WarningsAsync("writer", "BudgetExhausted")).Count);
        await PatchBudgetAsync(100_000);
        await Eventually.TrueAsync(() => Task.FromResult(runtime.View.Agent("default", "writer")?.Spec.Budget?.TokensPerDay == 100_000), "the gateway to see the budget raised again");

        // Deleting the key Secret revokes the key within seconds.
        await _client.SendJsonAsync(HttpMethod.Delete, "/api/v1/namespaces/default/secrets/writer-gateway", null, "application/json", CancellationToken.None);
        await Eventually.TrueAsync(
            async () =>
            {
                var error = await Record.ExceptionAsync(() => chat.CompleteChatAsync([new UserChatMessage("still me?")]));
                return error is ClientResultException { Status: 401 };
            },
            "the deleted key to be refused",
            TimeSpan.FromSeconds(10));
        await restarted.StopAsync();
        await restarted.DisposeAsync();
    }

    private async Task<(WebApplication App, KubernetesRuntime Runtime)> StartGatewayAsync()
    {
        var options = new GatewayOptions
        {
            Listen = "127.0.0.1:0",
            MetricsAddress = "127.0.0.1:0",
            HealthAddress = "127.0.0.1:0",
            LogFormat = "text",
            StatusInterval = TimeSpan.FromSeconds(2),
        };
        var app = GatewayCommand.Build(options, _client, _ => null, logging => logging.AddProvider(new TestOutputLoggerProvider(output)));
        await app.StartAsync();
        var services = app.Services.GetRequiredService<GatewayServices>();
        var runtime = (KubernetesRuntime)services.Background!;
        var health = new Uri($"http://127.0.0.1:{app.Services.GetRequiredService<GatewayApplication.GatewayListeners>().HealthPort}/readyz");
        using var http = new HttpClient();
        await Eventually.TrueAsync(async () => (await http.GetAsync(health)).IsSuccessStatusCode, "the gateway to be ready");
        return (app, runtime);
    }

    private static Uri GatewayEndpoint(WebApplication app) =>
        new($"http://127.0.0.1:{app.Services.GetRequiredService<GatewayApplication.GatewayListeners>().ApiPort}/v1");

    private async Task<Usage> WaitForUsageAsync(Func<Usage, bool> condition)
    {
        Usage? last = null;
        await Eventually.TrueAsync(
            async () =>
            {
                last = (await _client.GetAsync(GatewayKinds.Agents, "default", "writer", CancellationToken.None))?.Status?.Usage;
                return last is not null && condition(last);
            },
            "status.usage of default/writer");
        return last!;
    }

    private async Task<JsonNode?> CreateAsync(string path, JsonObject body) =>
        await _client.SendJsonAsync(HttpMethod.Post, path, body, "application/json", CancellationToken.None);

    private Task<JsonNode?> ReplaceSecretAsync(string name, string value) =>
        _client.SendJsonAsync(HttpMethod.Patch, $"/api/v1/namespaces/default/secrets/{name}", new JsonObject { ["data"] = new JsonObject { ["api-key"] = Base64(value) } }, "application/merge-patch+json", CancellationToken.None);

    private Task<JsonNode?> PatchBudgetAsync(long tokens) =>
        _client.SendJsonAsync(HttpMethod.Patch, "/apis/drover.dev/v1alpha1/namespaces/default/agents/writer", new JsonObject { ["spec"] = new JsonObject { ["budget"] = new JsonObject { ["tokensPerDay"] = tokens } } }, "application/merge-patch+json", CancellationToken.None);

    private async Task<List<JsonNode>> WarningsAsync(string name, string reason)
    {
        var list = await _client.SendJsonAsync(HttpMethod.Get, "/apis/events.k8s.io/v1/namespaces/default/events", null, "application/json", CancellationToken.None);
        return [.. (list?["items"]?.AsArray() ?? []).OfType<JsonNode>().Where(e => (string?)e["type"] == "Warning" && (string?)e["reason"] == reason && (string?)e["regarding"]?["name"] == name)];
    }

    private static JsonObject Secret(string name, string apiKey, string label) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { [label] = "true" } },
        ["data"] = new JsonObject { ["api-key"] = Base64(apiKey) },
    };

    private static JsonObject KeySecret(string agent, string uid, string token) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject
        {
            ["name"] = agent + "-gateway",
            ["labels"] = new JsonObject { [GatewayLabels.GatewayKey] = "true", [GatewayLabels.Agent] = agent, ["app.kubernetes.io/managed-by"] = "drover" },
            ["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "drover.dev/v1alpha1", ["kind"] = "Agent", ["name"] = agent, ["uid"] = uid, ["controller"] = true }),
        },
        ["data"] = new JsonObject { [GatewayLabels.TokenKey] = Base64(token) },
    };

    // The dev cluster stores stringData as written instead of folding it into data as the API server does, so the
    // Secrets here are written the way the API server stores them.
    private static string Base64(string value) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value));

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Operator.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The repository root (Operator.sln) was not found above the test binaries.");
    }

    private static JsonNode YamlToJson(string file) => Drover.Tests.Support.YamlJson.Parse(File.ReadAllText(file));
}
