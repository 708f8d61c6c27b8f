using System.Net;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Health;
using Drover.ControllerRuntime.Observability;
using Drover.Operator.Resolution;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Prometheus;

namespace Drover.Operator.Hosting;

/// <summary>
/// The process <c>drover run</c> starts: the controllers as a hosted service, <c>/metrics</c> on the metrics
/// address, <c>/healthz</c> and <c>/readyz</c> on the health address, console logs, and OTLP tracing when the
/// standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
internal static class OperatorApplication
{
    public const string ServiceName = "drover-operator";

    /// <param name="options">The parsed run options.</param>
    /// <param name="client">The API client to run against.</param>
    /// <param name="environment">Reads environment variables (OTEL_EXPORTER_OTLP_ENDPOINT).</param>
    /// <param name="digest">The digest of secret material, keyed with the operator's key (<see cref="DigestKeys"/>).</param>
    public static WebApplication Build(RunOptions options, KubeApiClient client, Func<string, string?> environment, SecretDigest digest)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(environment);
        // Options come from our own flags, never from the host's. The one host setting given: no watching of
        // appsettings.json, which the image does not have; the watch covered the working directory and everything under it.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        ConfigureLogging(builder.Logging, options.LogFormat);

        var listeners = new Listeners(options);
        builder.WebHost.ConfigureKestrel(kestrel => listeners.Bind(kestrel));

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(client);
        OperatorRuntime? runtime = null;
        builder.Services.AddSingleton(sp => runtime = new OperatorRuntime(client, options, digest, sp.GetRequiredService<ILoggerFactory>(), TimeProvider.System));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OperatorRuntime>().Host);
        if (options.ExitWhenReady)
        {
            builder.Services.AddHostedService<ConvergenceWatcher>();
        }


        // Checks are registered before the runtime exists; they read it when asked, by then the host has started it.
        builder.Services.AddHealthChecks().AddInformerChecks(() => runtime?.Host.Informers ?? []);
        if (!string.IsNullOrWhiteSpace(environment("OTEL_EXPORTER_OTLP_ENDPOINT")))
        {
            builder.Services.AddOpenTelemetry()
                .ConfigureResource(resource => resource.AddService(environment("OTEL_SERVICE_NAME") ?? ServiceName))
                .WithTracing(tracing => tracing.AddSource(RuntimeTelemetry.SourceName).AddOtlpExporter());
        }

        var app = builder.Build();
        app.Use((context, next) => listeners.Allows(context) ? next(context) : NotFound(context));
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ControllerRuntimeHealthCheckExtensions.LiveTag) });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ControllerRuntimeHealthCheckExtensions.ReadyTag) });
        app.MapMetrics();
        return app;
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
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
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
    /// The metrics and health listeners. Each path answers only on its own listener, so a NetworkPolicy or a
    /// Service can expose metrics without exposing probes and the other way round.
    /// </summary>
    private sealed class Listeners(RunOptions options)
    {
        private ListenOptions? _metrics;
        private ListenOptions? _health;

        public void Bind(KestrelServerOptions kestrel)
        {
            // RunOptions.Parse rejected malformed addresses; an empty one turns its listener off.
            var metrics = ListenAddress.TryParse(options.MetricsAddress, out var m) ? m : null;
            var health = ListenAddress.TryParse(options.HealthAddress, out var h) ? h : null;
            if (metrics is not null)
            {
                kestrel.Listen(new IPEndPoint(metrics.Address, metrics.Port), l => _metrics = l);
            }

            // Port 0 asks for any free port, so two such addresses are two listeners, not one.
            if (health is not null && (health != metrics || health.Port == 0))
            {
                kestrel.Listen(new IPEndPoint(health.Address, health.Port), l => _health = l);
            }
            else if (health is not null)
            {
                _health = _metrics;
            }
        }

        public bool Allows(HttpContext context)
        {
            var port = context.Connection.LocalPort;
            var path = context.Request.Path;
            if (path.StartsWithSegments("/metrics", StringComparison.Ordinal))
            {
                return Port(_metrics) == port;
            }

            if (path.StartsWithSegments("/healthz", StringComparison.Ordinal) || path.StartsWithSegments("/readyz", StringComparison.Ordinal))
            {
                return Port(_health) == port;
            }

            return false;
        }

        // After binding, Kestrel updates the endpoint with the real port, which matters when :0 asked for any free one.
        private static int? Port(ListenOptions? listener) => (listener?.EndPoint as IPEndPoint)?.Port;
    }
}
