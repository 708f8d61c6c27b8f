using System.Text.Json;
using System.Text.Json.Nodes;
using Drover.Api;
using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Client;
using Drover.DevCluster;
using Drover.Operator.Cluster;
using Drover.Operator.Hosting;
using Drover.Operator.Resolution;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Drover.Scenarios.Support;

/// <summary>
/// One story's world: a fresh dev cluster (with the simulated kubelet) with Drover's CRDs installed, and the operator
/// running in-process against it exactly as <c>drover run</c> wires it. Tests talk to the cluster as a user would:
/// apply, patch, delete, then read what the operator made.
/// </summary>
internal sealed class OperatorScenario : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly ILoggerFactory _loggers;
    private readonly CancellationTokenSource _stop = new();
    private readonly DevClusterServer? _server;
    private readonly IAsyncDisposable? _cluster;

    private OperatorScenario(DevClusterServer? server, KubeApiClient client, IAsyncDisposable? cluster, ILoggerFactory loggers)
    {
        _server = server;
        _cluster = cluster;
        _loggers = loggers;
        Client = client;
    }

    /// <summary>The dev cluster, for its request counters; stories on a real cluster do not count requests.</summary>
    public DevClusterServer Server => _server ?? throw new InvalidOperationException("This story runs on a real cluster, which has no request counters.");

    public KubeApiClient Client { get; }

    public OperatorRuntime? Operator { get; private set; }

    /// <summary>Starts a cluster with the CRDs; the operator starts with <see cref="StartOperatorAsync"/>.</summary>
    /// <param name="output">Where the operator logs.</param>
    /// <param name="rolloutDelay">How long the simulated kubelet takes to roll a Deployment.</param>
    /// <param name="cluster">Dev cluster options (authentication, RBAC) instead of the simulated kubelet with <paramref name="rolloutDelay"/>.</param>
    /// <param name="token">The bearer token the story's own requests carry (an administrator's, when the cluster authenticates).</param>
    public static async Task<OperatorScenario> CreateAsync(ITestOutputHelper output, TimeSpan? rolloutDelay = null, DevClusterOptions? cluster = null, string? token = null)
    {
        var server = await DevClusterServer.StartAsync(cluster ?? new DevClusterOptions
        {
            SimulateKubelet = true,
            RolloutDelay = rolloutDelay ?? TimeSpan.FromMilliseconds(100),
        });
        var scenario = new OperatorScenario(server, ClientOf(server, token), null, Loggers(output));
        await scenario.InstallCrdsAsync();
        return scenario;
    }

    /// <summary>A scenario on any cluster a kubeconfig names (k3s in a container); <paramref name="cluster"/> is disposed with it.</summary>
    public static async Task<OperatorScenario> OnClusterAsync(ITestOutputHelper output, string kubeconfig, IAsyncDisposable cluster)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(kubeconfig));
        var config = await KubernetesClientConfiguration.BuildConfigFromConfigFileAsync(stream);
        var scenario = new OperatorScenario(null, KubeApiClient.FromConfig(config, "drover-scenarios/0.1"), cluster, Loggers(output));
        await scenario.InstallCrdsAsync();
        return scenario;
    }

    private static ILoggerFactory Loggers(ITestOutputHelper output) =>
        LoggerFactory.Create(b => b.AddProvider(new TestOutputLoggerProvider(output)).SetMinimumLevel(LogLevel.Information));

    /// <summary>Creates a cluster, applies the samples and starts the operator.</summary>
    public static async Task<OperatorScenario> WithSamplesAsync(ITestOutputHelper output, RunOptions? options = null)
    {
        var scenario = await CreateAsync(output);
        await scenario.ApplyAsync(YamlJson.Files(Repository.Path("config", "samples")));
        await scenario.StartOperatorAsync(options);
        return scenario;
    }

    /// <summary>A client of the dev cluster that authenticates with <paramref name="token"/> (none when null).</summary>
    public static KubeApiClient ClientOf(DevClusterServer server, string? token)
    {
        ArgumentNullException.ThrowIfNull(server);
        var http = new HttpClient();
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return new KubeApiClient(http, server.BaseAddress);
    }

    /// <param name="options">The operator's options.</param>
    /// <param name="client">The client the operator runs with (its own identity); the story's client when null.</param>
    public async Task StartOperatorAsync(RunOptions? options = null, KubeApiClient? client = null)
    {
        options ??= new RunOptions { Workers = 2, MaxConcurrentRollouts = 10 };
        client ??= Client;
        Operator = new OperatorRuntime(client, options, await DigestKeys.LoadOrCreateAsync(client, options.LeaderElectionNamespace, CancellationToken.None), _loggers);
        await Operator.Host.StartAsync(_stop.Token);
        await Operator.Host.HasSynced.WaitAsync(DefaultTimeout);
    }

    /// <summary>The operator's digest key, read or created as <c>drover run</c> does.</summary>
    public Task<SecretDigest> DigestAsync(RunOptions options) =>
        DigestKeys.LoadOrCreateAsync(Client, options.LeaderElectionNamespace, CancellationToken.None);

    public async Task InstallCrdsAsync()
    {
        foreach (var crd in YamlJson.Files(Repository.Path("crds")))
        {
            await Client.SendJsonAsync(HttpMethod.Post, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd, "application/json", CancellationToken.None);
        }

        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    var list = await Client.SendJsonAsync(HttpMethod.Get, "/apis/drover.dev/v1alpha1", null, "application/json", CancellationToken.None);
                    return list?["resources"]?.AsArray().Count >= 3;
                }
                catch (KubeApiException)
                {
                    return false;
                }
            },
            "the drover.dev CRDs to be served");
    }

    /// <summary>Server-side applies each document as the user (field manager <c>kubectl</c>), as <c>kubectl apply --server-side</c> does.</summary>
    public async Task ApplyAsync(IEnumerable<JsonObject> documents)
    {
        foreach (var document in documents)
        {
            await ApplyAsync(document);
        }
    }

    public async Task<JsonNode?> ApplyAsync(JsonObject document)
    {
        var path = ObjectPath(document);
        return await Client.SendJsonAsync(HttpMethod.Patch, path + "?fieldManager=kubectl&force=true", document, "application/apply-patch+yaml", CancellationToken.None);
    }

    public Task<JsonNode?> ApplyYamlAsync(string yaml) => ApplyAllAsync(YamlJson.Documents(yaml));

    public async Task<JsonNode?> MergePatchAsync<T>(ResourceKind<T> kind, string name, string patchJson, string ns = "default")
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        await Client.SendJsonAsync(HttpMethod.Patch, kind.ObjectPath(ns, name), JsonNode.Parse(patchJson), "application/merge-patch+json", CancellationToken.None);

    public Task<bool> DeleteAsync<T>(ResourceKind<T> kind, string name, string ns = "default")
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        Client.DeleteAsync(kind, ns, name, null, CancellationToken.None);

    public Task<T?> GetAsync<T>(ResourceKind<T> kind, string name, string ns = "default")
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        Client.GetAsync(kind, ns, name, CancellationToken.None);

    public async Task<IReadOnlyList<T>> ListAsync<T>(ResourceKind<T> kind, string ns = "default")
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        (await Client.ListAsync(kind, ns, null, CancellationToken.None)).Items;

    /// <summary>Polls until <paramref name="condition"/> holds for the object, and returns it.</summary>
    public async Task<T> WaitForAsync<T>(ResourceKind<T> kind, string name, Func<T, bool> condition, string what, string ns = "default", TimeSpan? timeout = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        T? last = null;
        await Eventually.TrueAsync(
            async () =>
            {
                last = await GetAsync(kind, name, ns);
                return last is not null && condition(last);
            },
            $"{kind.Kind} {ns}/{name}: {what}",
            timeout,
            () => last is null ? "(absent)" : Describe(last));
        return last!;
    }

    public Task<Agent> WaitForAgentAsync(string name, string status, string reason, string ns = "default") =>
        WaitForAsync(OperatorKinds.Agents, name, a => HasCondition(a.Status?.Conditions, a.Metadata.Generation, a.Status?.ObservedGeneration, status, reason), $"Ready={status} ({reason})", ns);

    public Task<Schedule> WaitForScheduleAsync(string name, string status, string reason, string ns = "default") =>
        WaitForAsync(OperatorKinds.Schedules, name, s => HasCondition(s.Status?.Conditions, s.Metadata.Generation, s.Status?.ObservedGeneration, status, reason), $"Ready={status} ({reason})", ns);

    public Task<ModelProvider> WaitForProviderAsync(string name, string status, string reason, string ns = "default") =>
        WaitForAsync(OperatorKinds.ModelProviders, name, p => HasCondition(p.Status?.Conditions, p.Metadata.Generation, p.Status?.ObservedGeneration, status, reason), $"Ready={status} ({reason})", ns);

    /// <summary>Warning Events about <paramref name="name"/> with <paramref name="reason"/>, as events.k8s.io/v1 holds them.</summary>
    public async Task<IReadOnlyList<JsonObject>> WarningsAsync(string name, string reason, string ns = "default")
    {
        var list = await Client.SendJsonAsync(HttpMethod.Get, $"/apis/events.k8s.io/v1/namespaces/{ns}/events", null, "application/json", CancellationToken.None);
        return [.. (list?["items"]?.AsArray() ?? []).OfType<JsonObject>()
            .Where(e => (string?)e["type"] == "Warning" && (string?)e["reason"] == reason && (string?)e["regarding"]?["name"] == name)];
    }

    /// <summary>
    /// Queues every object of every kind, as the periodic resync does, and waits until the controllers have taken
    /// them all and their queues are empty.
    /// </summary>
    public async Task ResyncAndSettleAsync()
    {
        var runtime = Operator ?? throw new InvalidOperationException("The operator is not running.");
        var expected = runtime.Informers.Agents.Cache.Count + runtime.Informers.Schedules.Cache.Count + runtime.Informers.ModelProviders.Cache.Count;
        var before = runtime.Agents.Reconciles + runtime.Schedules.Reconciles + runtime.ModelProviders.Reconciles;
        runtime.ResyncAll();
        await Eventually.TrueAsync(
            () => Task.FromResult(
                runtime.Agents.Reconciles + runtime.Schedules.Reconciles + runtime.ModelProviders.Reconciles >= before + expected
                && runtime.Agents.Queue.Count == 0 && runtime.Schedules.Queue.Count == 0 && runtime.ModelProviders.Queue.Count == 0),
            "the resync to be taken by the workers");
    }

    public async ValueTask DisposeAsync()
    {
        if (Operator is { } runtime)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _stop.CancelAsync();
            await runtime.Host.StopAsync(timeout.Token);
            runtime.Dispose();
            runtime.Host.Dispose();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        _loggers.Dispose();
        _stop.Dispose();
    }

    public static bool HasCondition(IEnumerable<V1Condition>? conditions, long? generation, long? observedGeneration, string status, string reason) =>
        observedGeneration == generation
        && conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Ready) is { } ready
        && ready.Status == status
        && ready.Reason == reason;

    private static string Describe<T>(T obj) => obj switch
    {
        Agent a => JsonSerializer.Serialize(a.Status, DroverJsonContext.Default.AgentStatus!),
        Schedule s => JsonSerializer.Serialize(s.Status, DroverJsonContext.Default.ScheduleStatus!),
        ModelProvider p => JsonSerializer.Serialize(p.Status, DroverJsonContext.Default.ModelProviderStatus!),
        _ => typeof(T).Name,
    };

    private async Task<JsonNode?> ApplyAllAsync(IEnumerable<JsonObject> documents)
    {
        JsonNode? last = null;
        foreach (var document in documents)
        {
            last = await ApplyAsync(document);
        }

        return last;
    }

    private static string ObjectPath(JsonObject document)
    {
        var apiVersion = (string)document["apiVersion"]!;
        var kind = (string)document["kind"]!;
        var name = (string)document["metadata"]!["name"]!;
        var ns = (string?)document["metadata"]!["namespace"] ?? "default";
        var plural = kind switch
        {
            "Namespace" => "namespaces",
            "ClusterRole" => "clusterroles",
            "ClusterRoleBinding" => "clusterrolebindings",
            "Role" => "roles",
            "RoleBinding" => "rolebindings",
            "Secret" => "secrets",
            "ConfigMap" => "configmaps",
            "Service" => "services",
            "ModelProvider" => "modelproviders",
            "Agent" => "agents",
            "Schedule" => "schedules",
            _ => throw new ArgumentException($"The scenarios do not apply {kind} objects."),
        };
        var root = apiVersion.Contains('/', StringComparison.Ordinal) ? $"/apis/{apiVersion}" : $"/api/{apiVersion}";
        return kind is "Namespace" or "ClusterRole" or "ClusterRoleBinding" ? $"{root}/{plural}/{name}" : $"{root}/namespaces/{ns}/{plural}/{name}";
    }
}
