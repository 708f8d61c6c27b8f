using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Drover.ControllerRuntime.Tests.Client;

/// <summary>
/// A real Kestrel server (TLS with a given certificate, or plain HTTP) that serves one ConfigMap and records what each
/// request carried: the credentials, client certificate, user agent, host and impersonation headers.
/// </summary>
public sealed class RecordingApiServer : IAsyncDisposable
{
    public const string Path = "/api/v1/namespaces/default/configmaps/settings";

    private readonly WebApplication _app;

    private RecordingApiServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public ConcurrentQueue<SeenRequest> Seen { get; } = new();

    /// <summary>When it returns true for an Authorization value, the request gets 401.</summary>
    public Func<string, bool> Reject { get; set; } = _ => false;

    /// <param name="certificate">The server certificate; null serves plain HTTP.</param>
    public static async Task<RecordingApiServer> StartAsync(System.Security.Cryptography.X509Certificates.X509Certificate2? certificate)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificate,
                    ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                    ClientCertificateValidation = (_, _, _) => true,
                });
            }
        }));
        var app = builder.Build();
        RecordingApiServer? server = null;
        app.MapGet(Path, (HttpContext context) =>
        {
            var authorization = context.Request.Headers.Authorization.ToString();
            server!.Seen.Enqueue(new SeenRequest(
                authorization,
                context.Request.Headers.UserAgent.ToString(),
                context.Request.Host.Host,
                context.Connection.ClientCertificate?.Thumbprint,
                context.Request.Headers.Where(h => h.Key.StartsWith("Impersonate-", StringComparison.OrdinalIgnoreCase))
                    .ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            return server.Reject(authorization)
                ? Results.Json(new { kind = "Status", apiVersion = "v1", status = "Failure", reason = "Unauthorized", code = 401 }, statusCode: 401)
                : Results.Text("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"default"},"data":{"answer":"from-the-server"}}""", "application/json");
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        server = new RecordingApiServer(app, address);
        return server;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    public sealed record SeenRequest(string Authorization, string UserAgent, string Host, string? ClientCertificateThumbprint, IReadOnlyDictionary<string, string> Impersonation);
}
