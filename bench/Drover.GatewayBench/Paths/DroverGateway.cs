using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Drover.Api.V1Alpha1;
using Drover.Bench;
using Drover.GatewayBench.Stub;
using Drover.Operator.Children;
using Drover.Operator.Cluster;
using Drover.Operator.Gateway;

namespace Drover.GatewayBench.Paths;

/// <summary>
/// drover-gateway (the NativeAOT binary) on a dev cluster of its own, both in their own processes. The cluster holds
/// what the gateway serves: a provider pointing at the stub with its key in a labelled credentials Secret, Agents with
/// Gateway access, and each Agent's key Secret exactly as the operator writes it (the operator itself does not run:
/// nothing else of what it makes matters to the gateway).
/// </summary>
internal sealed class DroverGateway : IAsyncDisposable
{
    public const string Namespace = "bench";
    public const string Model = "bench-model";

    /// <summary>The agent the latency paths call as: no budget.</summary>
    public const string Agent = "bench";

    /// <summary>The agent with a small budget and priced models, for the budget phase; its provider key's stub label.</summary>
    public const string BudgetAgent = "budgeted";

    public const string BudgetKey = "budget";

    /// <summary>The budgeted agent's provider prices, in US dollars per million tokens.</summary>
    public const decimal InputPerMillion = 2.5m;
    public const decimal OutputPerMillion = 10m;

    private static readonly string[] Generations = ["0", "1", "2"];

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private DroverGateway(ChildProcess devCluster, BenchCluster cluster, ChildProcess gateway, BenchPath path, string budgetToken, Uri metrics, string version)
    {
        DevCluster = devCluster;
        Cluster = cluster;
        Process = gateway;
        Path = path;
        BudgetToken = budgetToken;
        Metrics = metrics;
        Version = version;
    }

    public ChildProcess DevCluster { get; }

    public BenchCluster Cluster { get; }

    public ChildProcess Process { get; }

    public BenchPath Path { get; }

    /// <summary>The budgeted agent's gateway key.</summary>
    public string BudgetToken { get; }

    public Uri Metrics { get; }

    public string Version { get; }

    public static async Task<DroverGateway> StartAsync(GatewayBenchOptions options, string repository, StubProcess stub, string logs, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stub);
        ArgumentNullException.ThrowIfNull(log);
        var kubeconfig = System.IO.Path.Combine(logs, "gateway-bench.kubeconfig");
        var devCluster = ChildProcess.Start("dotnet", [options.DevClusterAssembly, "--port", "0", "--kubeconfig", kubeconfig], System.IO.Path.Combine(logs, "devcluster.log"));
        var serving = await devCluster.WaitForLineAsync("dev cluster serving on ", TimeSpan.FromSeconds(60));
        var cluster = new BenchCluster(new Uri(serving["dev cluster serving on ".Length..].Trim()));
        await cluster.InstallCrdsAsync(System.IO.Path.Combine(repository, "crds"), cancellationToken);

        foreach (var manifest in Manifests(stub.ApiBase, options.BudgetTokens))
        {
            await cluster.CreateAsync(manifest, cancellationToken);
        }

        var token = await IssueKeyAsync(cluster, Agent, cancellationToken);
        var budgetToken = await IssueKeyAsync(cluster, BudgetAgent, cancellationToken);

        var port = LoopbackPort.Free();
        var metricsPort = LoopbackPort.Free();
        var healthPort = LoopbackPort.Free();
        string Loopback(int p) => "127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture);
        var gateway = ChildProcess.StartLoggingToFile(
            options.GatewayBinary,
            ["--kubeconfig", kubeconfig, "--listen", Loopback(port), "--metrics-address", Loopback(metricsPort), "--health-address", Loopback(healthPort), "--log-format", "json"],
            System.IO.Path.Combine(logs, "drover-gateway.log"),
            // A directory nothing is written to, as /app in the image: the host watches its working directory for
            // configuration changes, and the repository (with this run's logs in it) would keep waking it.
            System.IO.Path.Combine(logs, "drover-gateway-cwd"),
            options.GatewayEnvironment);
        var path = new BenchPath(
            BenchPath.Drover,
            new Uri($"http://{Loopback(port)}/v1/chat/completions"),
            [new("Authorization", "Bearer " + token)],
            BenchPath.Drover,
            gateway.Id);
        var started = new DroverGateway(devCluster, cluster, gateway, path, budgetToken, new Uri($"http://{Loopback(metricsPort)}/metrics"), GatewayVersion(options.GatewayBinary));
        await started.WaitReadyAsync(new Uri($"http://{Loopback(healthPort)}/readyz"), logs, cancellationToken);
        log.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] drover-gateway ready on {Loopback(port)} (pid {gateway.Id.ToString(CultureInfo.InvariantCulture)})");
        return started;
    }

    /// <summary>The manifests: namespace, provider keys, the two providers (one priced), the two agents.</summary>
    public static IEnumerable<JsonObject> Manifests(Uri stubApi, long budgetTokens)
    {
        ArgumentNullException.ThrowIfNull(stubApi);
        yield return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = Namespace } };
        foreach (var (provider, key, priced) in new[] { ("stub", BenchPath.Drover, false), ("stub-priced", BudgetKey, true) })
        {
            yield return new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Secret",
                ["metadata"] = new JsonObject
                {
                    ["name"] = provider + "-key",
                    ["namespace"] = Namespace,
                    ["labels"] = new JsonObject { [Drover.Api.DroverLabels.ProviderCredentials] = Drover.Api.DroverLabels.True },
                },
                ["stringData"] = new JsonObject { ["api-key"] = ChatReply.Key(key) },
            };
            var spec = new JsonObject
            {
                ["type"] = ProviderTypes.OpenAICompatible,
                ["endpoint"] = stubApi.ToString().TrimEnd('/'),
                ["apiKey"] = new JsonObject { ["secretKeyRef"] = new JsonObject { ["name"] = provider + "-key", ["key"] = "api-key" } },
                ["defaultModel"] = Model,
            };
            if (priced)
            {
                spec["pricing"] = new JsonArray(new JsonObject { ["model"] = Model, ["inputPerMillion"] = InputPerMillion, ["outputPerMillion"] = OutputPerMillion });
            }

            yield return new JsonObject
            {
                ["apiVersion"] = "drover.dev/v1alpha1",
                ["kind"] = "ModelProvider",
                ["metadata"] = new JsonObject { ["name"] = provider, ["namespace"] = Namespace },
                ["spec"] = spec,
            };
        }

        foreach (var (agent, provider) in new[] { (Agent, "stub"), (BudgetAgent, "stub-priced") })
        {
            var spec = new JsonObject
            {
                ["image"] = "ghcr.io/example/agent:1",
                ["model"] = new JsonObject { ["providerRef"] = new JsonObject { ["name"] = provider }, ["access"] = ModelAccessModes.Gateway },
            };
            if (agent == BudgetAgent && budgetTokens > 0)
            {
                spec["budget"] = new JsonObject { ["tokensPerDay"] = budgetTokens };
            }

            yield return new JsonObject
            {
                ["apiVersion"] = "drover.dev/v1alpha1",
                ["kind"] = "Agent",
                ["metadata"] = new JsonObject { ["name"] = agent, ["namespace"] = Namespace },
                ["spec"] = spec,
            };
        }
    }

    public async Task<IReadOnlyList<PrometheusSample>> ScrapeAsync(CancellationToken cancellationToken) =>
        [.. PrometheusText.Parse(await _http.GetStringAsync(Metrics, cancellationToken))];

    /// <summary>
    /// The runtime's GC counters so far, from prometheus-net's series: collections by generation (a gen1 collection
    /// counts in gen0 too), the total pause and the bytes allocated. Null when the gateway does not export them.
    /// </summary>
    public async Task<GcReading?> GcAsync(CancellationToken cancellationToken)
    {
        var samples = await ScrapeAsync(cancellationToken);
        var collections = samples.Where(s => s.Name == "dotnet_collection_count_total").ToList();
        return collections.Count == 0
            ? null
            : new GcReading(
                [.. Generations.Select(g => (long)collections.Where(s => s.Label("generation") == g).Sum(s => s.Value))],
                PrometheusText.Sum(samples, "system_runtime_dotnet_gc_pause_time"),
                PrometheusText.Sum(samples, "system_runtime_dotnet_gc_heap_total_allocated"));
    }

    public Task<Agent?> AgentAsync(string name, CancellationToken cancellationToken) =>
        Cluster.Api.GetAsync(OperatorKinds.Agents, Namespace, name, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Process.StopAsync(TimeSpan.FromSeconds(30));
        await Process.DisposeAsync();
        Cluster.Dispose();
        await DevCluster.StopAsync(TimeSpan.FromSeconds(10));
        await DevCluster.DisposeAsync();
    }

    /// <summary>Writes the agent's key Secret as the operator would (its builder, a fresh token) and returns the token.</summary>
    private static async Task<string> IssueKeyAsync(BenchCluster cluster, string agentName, CancellationToken cancellationToken)
    {
        var agent = await cluster.Api.GetAsync(OperatorKinds.Agents, Namespace, agentName, cancellationToken)
            ?? throw new InvalidOperationException($"Agent {Namespace}/{agentName} was not created");
        var key = new GatewayKey(GatewayKey.NewToken(), null);
        await cluster.Api.CreateAsync(OperatorKinds.Secrets, GatewayKeySecretBuilder.Build(agent, agentName, ChildLabels.AgentComponent, key), cancellationToken);
        return key.Token;
    }

    private async Task WaitReadyAsync(Uri readyz, string logs, CancellationToken cancellationToken) =>
        await Poll.UntilAsync(
            async () =>
            {
                if (Process.HasExited)
                {
                    throw new InvalidOperationException($"drover-gateway exited at start; see {System.IO.Path.Combine(logs, "drover-gateway.log")}");
                }

                try
                {
                    using var response = await _http.GetAsync(readyz, cancellationToken);
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(60),
            "drover-gateway /readyz",
            cancellationToken,
            TimeSpan.FromMilliseconds(50));

    private static string GatewayVersion(string binary) =>
        $"drover-gateway (NativeAOT, built {File.GetLastWriteTimeUtc(binary).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC)";
}

/// <summary>The gateway's GC counters at one moment: collections (gen0, gen1, gen2), seconds paused, bytes allocated.</summary>
internal sealed record GcReading(IReadOnlyList<long> Collections, double PauseSeconds, double AllocatedBytes)
{
    public GcReading Since(GcReading before)
    {
        ArgumentNullException.ThrowIfNull(before);
        return new([.. Collections.Zip(before.Collections, (a, b) => a - b)], PauseSeconds - before.PauseSeconds, AllocatedBytes - before.AllocatedBytes);
    }
}
