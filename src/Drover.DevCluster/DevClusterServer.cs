using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Drover.DevCluster.Access;
using Drover.DevCluster.Controllers;
using Drover.DevCluster.Http;
using Drover.DevCluster.Resources;
using Drover.DevCluster.Services;
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
/// in-memory storage, watches, discovery, OpenAPI, CRDs, apply, garbage collection; optionally the workload
/// controllers and a node, TLS, bearer-token authentication, RBAC and owner-reference admission (see README.md).
/// </summary>
public sealed class DevClusterServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ControllerLoop _controllers;
    private int _disposed;

    private DevClusterServer(WebApplication app, ControllerLoop controllers, Uri baseAddress, RequestCounters requests, FaultInjector faults, ResourceOperations operations, BoundedLog<LoggedRequest> requestLog, BoundedLog<AuthorizationDecision> authorizationLog, SimulatedImages images, X509Certificate2? certificate)
    {
        _app = app;
        Certificate = certificate;
        _controllers = controllers;
        BaseAddress = baseAddress;
        Requests = requests;
        Faults = faults;
        Operations = operations;
        RequestLog = requestLog;
        AuthorizationLog = authorizationLog;
        Images = images;
    }

    /// <summary><c>http://127.0.0.1:PORT</c>, or <c>https://</c> with <see cref="DevClusterOptions.Tls"/>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The self-signed serving certificate when the server speaks TLS; null otherwise.</summary>
    public X509Certificate2? Certificate { get; }

    public RequestCounters Requests { get; }

    public FaultInjector Faults { get; }

    /// <summary>Every answered request with its client, user, verb, resource and status (see <see cref="LoggedRequest"/>).</summary>
    public BoundedLog<LoggedRequest> RequestLog { get; }

    /// <summary>
    /// Every decision of the RBAC authorizer about a user, for requests and for admission checks alike (see
    /// <see cref="AuthorizationDecision"/>), so a test can tell which granted rules a client needed.
    /// </summary>
    public BoundedLog<AuthorizationDecision> AuthorizationLog { get; }

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
        var authorizationLog = new BoundedLog<AuthorizationDecision>(options.RequestLogLimit);
        var access = new AccessControl(options.Tokens, options.AuthorizeWithRbac, store, authorizationLog);
        if (options.EnforceOwnerReferencesPermission)
        {
            operations.Admission = new OwnerReferencesAdmission(access.Rules, catalog).Admit;
        }

        var requests = new RequestCounters();
        var requestLog = new BoundedLog<LoggedRequest>(options.RequestLogLimit);
        var faults = new FaultInjector(() => store.CloseAllWatches("dropped by a test fault"), (group, version, plural, obj) => ObjectInjection.Inject(operations, time, group, version, plural, obj));

        var certificate = options.Tls ? SelfSignedCertificate.Create(time.GetUtcNow()) : null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole();
        builder.Logging.SetMinimumLevel(options.LogRequests ? LogLevel.Information : LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
            kestrel.Listen(IPAddress.Loopback, options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Drover.DevCluster");
        var handler = new ApiRequestHandler(operations, requests, faults, time, options.BookmarkInterval, access, requestLog)
        {
            RequestLog = options.LogRequests ? (method, path, status) => RequestLogging.Served(logger, method, path, status) : null,
        };
        app.Run(handler.HandleAsync);

        var kubelet = options.SimulateKubelet ? new KubeletSimulator(operations, options.Images, options.RolloutDelay, options.RestartBackOff, time) : null;
        var events = new EventExpiry(store, catalog, options.EventTtl, time);
        var controllers = new ControllerLoop(store, new GarbageCollector(operations), new NamespaceLifecycle(operations), crds, events, kubelet, time, logger);
        store.Committed = change =>
        {
            operations.ServiceAddresses.Observe(change);
            controllers.Notify(change);
        };
        SeedNamespaces(operations);
        SeedKubernetesService(operations);

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        controllers.Start();
        var scheme = certificate is null ? "http" : "https";
        return new DevClusterServer(app, controllers, new Uri($"{scheme}://127.0.0.1:{port}"), requests, faults, operations, requestLog, authorizationLog, options.Images, certificate);
    }

    /// <summary>
    /// Writes a kubeconfig for this server (with its certificate as the cluster CA when it speaks TLS);
    /// <paramref name="token"/> is the bearer token its user sends (one of <see cref="DevClusterOptions.Tokens"/>).
    /// </summary>
    public string WriteKubeconfig(string path, string? token = null) => Kubeconfig.Write(path, BaseAddress, token, Certificate?.ExportCertificatePem());

    /// <summary>An HTTP handler that trusts this server's certificate (a plain one when it does not speak TLS), for tests' own clients.</summary>
    public HttpMessageHandler CreateHttpHandler()
    {
        var handler = new SocketsHttpHandler();
        if (Certificate is { } trusted)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == trusted.GetCertHashString();
        }

        return handler;
    }

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

    /// <summary>The <c>default/kubernetes</c> Service every cluster has, holding the first address of the service range.</summary>
    private static void SeedKubernetesService(ResourceOperations operations)
    {
        var services = operations.Catalog.Find(string.Empty, "v1", "services")!;
        var body = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = "kubernetes",
                ["labels"] = new JsonObject { ["component"] = "apiserver", ["provider"] = "kubernetes" },
            },
            ["spec"] = new JsonObject
            {
                ["clusterIP"] = ServiceAddressAllocator.FirstAddress,
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = 443, ["protocol"] = "TCP", ["targetPort"] = 6443 }),
            },
        };
        operations.Create(services, "default", body, WriteOptions.Internal("kube-apiserver"));
    }

    private static void Validate(DevClusterOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.EventTtl, TimeSpan.Zero, nameof(options.EventTtl));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RolloutDelay, TimeSpan.Zero, nameof(options.RolloutDelay));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.RestartBackOff, TimeSpan.Zero, nameof(options.RestartBackOff));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RequestLogLimit, 1, nameof(options.RequestLogLimit));
        ArgumentNullException.ThrowIfNull(options.Images, nameof(options.Images));
        if (options.Tokens is null && (options.AuthorizeWithRbac || options.EnforceOwnerReferencesPermission))
        {
            throw new ArgumentException("AuthorizeWithRbac and EnforceOwnerReferencesPermission judge users, so they need Tokens to authenticate them", nameof(options));
        }
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
