using System.Net;
using System.Text.Json.Nodes;
using Drover.DevCluster.Controllers;
using Drover.DevCluster.Http;
using Drover.DevCluster.Resources;
using Drover.DevCluster.Storage;
using Drover.DevCluster.TestControls;
using Drover.DevCluster.Writes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Drover.DevCluster;

/// <summary>
/// An in-process Kubernetes API server on 127.0.0.1 that kubectl, helm and the C# client accept:
/// in-memory storage, watches, discovery, OpenAPI, CRDs, apply, garbage collection.
/// </summary>
public sealed class DevClusterServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ControllerLoop _controllers;
    private int _disposed;

    private DevClusterServer(WebApplication app, ControllerLoop controllers, Uri baseAddress, RequestCounters requests, FaultInjector faults, ResourceOperations operations, SimulatedImages images)
    {
        _app = app;
        _controllers = controllers;
        BaseAddress = baseAddress;
        Requests = requests;
        Faults = faults;
        Operations = operations;
        Images = images;
    }

    /// <summary><c>http://127.0.0.1:PORT</c>.</summary>
    public Uri BaseAddress { get; }

    public RequestCounters Requests { get; }

    public FaultInjector Faults { get; }

    /// <summary>The images the simulated kubelet treats specially (the options' instance), to change while the cluster runs.</summary>
    public SimulatedImages Images { get; }

    /// <summary>The server's write semantics, for tests that seed or inspect state without HTTP.</summary>
    public ResourceOperations Operations { get; }

    /// <summary>Open watch streams right now.</summary>
    public int OpenWatches => Operations.ObjectStore.OpenWatches;

    public static async Task<DevClusterServer> StartAsync(DevClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new DevClusterOptions();
        Validate(options);
        var time = options.TimeProvider;
        var store = new ObjectStore(options.WatchHistoryLimit, options.WatchBufferSize);
        var catalog = new ResourceCatalog(BuiltinResources.All);
        var operations = new ResourceOperations(store, catalog, time);
        var crds = new CustomResourceDefinitionController(operations);
        operations.Validator = (type, obj) =>
        {
            CustomResourceDefinitionController.Validate(type, obj);
            DeploymentValidation.Validate(type, obj);
        };
        operations.CustomResourceDefinitionWritten = crds.Reconcile;
        var requests = new RequestCounters();
        var faults = new FaultInjector(() => store.CloseAllWatches("dropped by a test fault"), (group, version, plural, obj) => ObjectInjection.Inject(operations, time, group, version, plural, obj));

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole();
        builder.Logging.SetMinimumLevel(options.LogRequests ? LogLevel.Information : LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
            kestrel.Listen(IPAddress.Loopback, options.Port, listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
        });
        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Drover.DevCluster");
        var handler = new ApiRequestHandler(operations, requests, faults, time, options.BookmarkInterval)
        {
            RequestLog = options.LogRequests ? (method, path, status) => RequestLogging.Served(logger, method, path, status) : null,
        };
        app.Run(handler.HandleAsync);

        var kubelet = options.SimulateKubelet ? new KubeletSimulator(operations, options.Images, options.RolloutDelay, options.RestartBackOff, time) : null;
        var events = new EventExpiry(store, catalog, options.EventTtl, time);
        var controllers = new ControllerLoop(store, new GarbageCollector(operations), new NamespaceLifecycle(operations), crds, events, kubelet, time, logger);
        store.Committed = controllers.Notify;
        SeedNamespaces(operations);

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        controllers.Start();
        return new DevClusterServer(app, controllers, new Uri($"http://127.0.0.1:{port}"), requests, faults, operations, options.Images);
    }

    public string WriteKubeconfig(string path) => Kubeconfig.Write(path, BaseAddress);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Faults.DropHeld();
        Operations.ObjectStore.CloseAllWatches("server stopping");
        await _controllers.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static void Validate(DevClusterOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.EventTtl, TimeSpan.Zero, nameof(options.EventTtl));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RolloutDelay, TimeSpan.Zero, nameof(options.RolloutDelay));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.RestartBackOff, TimeSpan.Zero, nameof(options.RestartBackOff));
        ArgumentNullException.ThrowIfNull(options.Images, nameof(options.Images));
    }

    private static void SeedNamespaces(ResourceOperations operations)
    {
        var namespaces = operations.Catalog.Find(string.Empty, "v1", "namespaces")!;
        foreach (var name in (string[])["default", "kube-system", "kube-public", "kube-node-lease"])
        {
            var body = new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } };
            operations.Create(namespaces, string.Empty, body, WriteOptions.Internal("kube-apiserver"));
        }
    }
}
