using System.Net;
using Drover.ControllerRuntime.Health;
using Drover.Gateway.Configuration;
using Drover.Gateway.Proxy;
using Drover.Gateway.Telemetry;
using Drover.Gateway.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Prometheus;

namespace Drover.Gateway.Hosting;

/// <summary>
/// The process <c>drover-gateway</c> starts: the model API on the listen address, <c>/metrics</c> and the health
/// endpoints each on their own, console logs, and OTLP metrics when OTEL_EXPORTER_OTLP_ENDPOINT is set.
/// </summary>
internal static class GatewayApplication
{
    public const string ServiceName = "drover-gateway";

    /// <param name="options">The parsed options.</param>
    /// <param name="services">Makes the gateway's services once the host's own (logging) exist.</param>
    /// <param name="environment">Reads environment variables (OTEL_EXPORTER_OTLP_ENDPOINT).</param>
    /// <param name="logging">Extra logging setup (tests send logs to their output).</param>
    public static WebApplication Build(GatewayOptions options, Func<IServiceProvider, GatewayServices> services, Func<string, string?> environment, Action<ILoggingBuilder>? logging = null)
    {
        // Options come from our own flags, never from the host's. The one host setting given: no watching of
        // appsettings.json, which the image does not have; the watch covered the working directory and everything under it.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        ConfigureLogging(builder.Logging, options.LogFormat);
        logging?.Invoke(builder.Logging);
        var listeners = new GatewayListeners(options);
        builder.Services.AddSingleton(listeners);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The proxy enforces its own limit with an answer in the caller's error shape.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.AddServerHeader = false;
            listeners.Bind(kestrel);
        });

        // Shutdown runs on the wall clock whatever clock admission uses. The host's timeout is above the drain's own
        // deadline, so requests are cut (and counted) by the drain, not by the host.
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(host => host.ShutdownTimeout = options.ShutdownDelay + options.DrainTimeout + TimeSpan.FromSeconds(5));
        GatewayServices? made = null;
        GracefulDrain? drain = null;
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(sp => drain = new GracefulDrain(options, TimeProvider.System, sp.GetRequiredService<ILogger<GracefulDrain>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<GracefulDrain>());
        builder.Services.AddSingleton(sp => made = services(sp));
        builder.Services.AddSingleton(sp => sp.GetRequiredService<GatewayServices>().Time);
        builder.Services.AddSingleton(sp => new GatewayDirectory(sp.GetRequiredService<GatewayServices>().View));
        builder.Services.AddSingleton(sp => sp.GetRequiredService<GatewayServices>().State);
        builder.Services.AddSingleton(sp => sp.GetRequiredService<GatewayServices>().Observer);
        builder.Services.AddSingleton(_ => UpstreamHttp.Create());
        builder.Services.AddSingleton<ModelProxy>();
        builder.Services.AddSingleton<ModelsEndpoint>();
        builder.Services.AddHostedService(sp => new BackgroundWork(sp.GetRequiredService<GatewayServices>().Background));
        builder.Services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy(), ["live"])
            .AddCheck("configuration", () => drain?.Stopping == true
                ? HealthCheckResult.Unhealthy("stopping")
                : made?.IsReady() == true ? HealthCheckResult.Healthy("synced") : HealthCheckResult.Unhealthy("watching the cluster, not synced yet"), ["ready"]);
        if (!string.IsNullOrWhiteSpace(environment("OTEL_EXPORTER_OTLP_ENDPOINT")))
        {
            builder.Services.AddOpenTelemetry()
                .ConfigureResource(resource => resource.AddService(environment("OTEL_SERVICE_NAME") ?? ServiceName))
                .WithMetrics(metrics => metrics.AddMeter(GenAiMetrics.MeterName).AddOtlpExporter());
        }

        var app = builder.Build();
        app.Use((context, next) => listeners.Allows(context) ? next(context) : NotFound(context));
        var draining = app.Services.GetRequiredService<GracefulDrain>();
        app.Use((context, next) => context.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal) ? draining.TrackAsync(context, next) : next(context));
        var proxy = app.Services.GetRequiredService<ModelProxy>();
        var models = app.Services.GetRequiredService<ModelsEndpoint>();
        app.MapPost("/v1/chat/completions", context => proxy.ServeAsync(context, ApiSurface.ChatCompletions));
        app.MapPost("/v1/embeddings", context => proxy.ServeAsync(context, ApiSurface.Embeddings));
        app.MapPost("/v1/responses", context => proxy.ServeAsync(context, ApiSurface.Responses));
        app.MapPost("/v1/messages", context => proxy.ServeAsync(context, ApiSurface.Messages));
        app.MapGet("/v1/models", models.ServeAsync);
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = c => c.Tags.Contains("live") });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        app.MapMetrics();
        return app;
    }

    /// <summary>Runs the services' background work (if any) with the host.</summary>
    private sealed class BackgroundWork(Microsoft.Extensions.Hosting.IHostedService? work) : Microsoft.Extensions.Hosting.IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => work?.StartAsync(cancellationToken) ?? Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => work?.StopAsync(cancellationToken) ?? Task.CompletedTask;
    }

    private static Task NotFound(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    private static void ConfigureLogging(ILoggingBuilder logging, string format)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        if (format == "text")
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        }
        else
        {
            logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                o.IncludeScopes = false;
            });
        }
    }

    /// <summary>
    /// The three listeners. Each path answers only on its own, so the agents' Service reaches the model API and
    /// nothing else, and metrics and probes can be exposed separately.
    /// </summary>
    internal sealed class GatewayListeners(GatewayOptions options)
    {
        private readonly List<ListenOptions> _api = [];
        private readonly List<ListenOptions> _metrics = [];
        private readonly List<ListenOptions> _health = [];

        /// <summary>The port agents call, once bound (tests listen on port 0).</summary>
        public int? ApiPort => _api.Select(Port).FirstOrDefault(p => p is not null);

        public int? HealthPort => _health.Select(Port).FirstOrDefault(p => p is not null);

        public int? MetricsPort => _metrics.Select(Port).FirstOrDefault(p => p is not null);

        public void Bind(KestrelServerOptions kestrel)
        {
            var bound = new Dictionary<(IPAddress, int), ListenOptions>();
            void Listen(string address, List<ListenOptions> into)
            {
                if (!ListenAddress.TryParse(address, out var parsed) || parsed is null)
                {
                    return;
                }

                // Port 0 asks for any free port, so two such addresses are two listeners, not one.
                if (parsed.Port != 0 && bound.TryGetValue((parsed.Address, parsed.Port), out var existing))
                {
                    into.Add(existing);
                    return;
                }

                kestrel.Listen(new IPEndPoint(parsed.Address, parsed.Port), l =>
                {
                    into.Add(l);
                    bound[(parsed.Address, parsed.Port)] = l;
                });
            }

            Listen(options.Listen, _api);
            Listen(options.MetricsAddress, _metrics);
            Listen(options.HealthAddress, _health);
        }

        public bool Allows(HttpContext context)
        {
            var port = context.Connection.LocalPort;
            var path = context.Request.Path;
            if (path.StartsWithSegments("/metrics", StringComparison.Ordinal))
            {
                return _metrics.Any(l => Port(l) == port);
            }

            if (path.StartsWithSegments("/healthz", StringComparison.Ordinal) || path.StartsWithSegments("/readyz", StringComparison.Ordinal))
            {
                return _health.Any(l => Port(l) == port);
            }

            return _api.Any(l => Port(l) == port);
        }

        // After binding, Kestrel updates the endpoint with the real port, which matters when :0 asked for any free one.
        private static int? Port(ListenOptions listener) => (listener.EndPoint as IPEndPoint)?.Port;
    }
}
