using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Tests.DevCluster;
using k8s;
using k8s.Exceptions;
using k8s.Models;
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
/// The transport a kubeconfig describes, against a real TLS server: the cluster CA is trusted and nothing else is,
/// the client certificate and the token reach the server, and tls-server-name and insecure-skip-tls-verify work.
/// </summary>
public sealed class KubeTransportTests : IAsyncLifetime, IDisposable
{
    private const string Token = "t0ken-from-kubeconfig";
    private static readonly ResourceKind<V1ConfigMap> ConfigMaps =
        new(string.Empty, "v1", "configmaps", "ConfigMap", namespaced: true, ConfigMapJsonContext.Default.V1ConfigMap);

    private readonly TestAuthority _clusterCa = new("cluster-ca");
    private readonly TestAuthority _otherCa = new("some-other-ca");
    private readonly ConcurrentQueue<SeenRequest> _seen = new();
    private readonly List<WebApplication> _servers = [];
    private readonly string _dir = Directory.CreateTempSubdirectory("kubeconfig").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    public void Dispose()
    {
        _clusterCa.Dispose();
        _otherCa.Dispose();
    }

    [Fact]
    public async Task A_server_signed_by_the_cluster_CA_is_trusted_and_gets_the_token_client_certificate_and_user_agent()
    {
        using var clientCert = _clusterCa.Issue("drover-operator", server: false);
        var port = await StartServerAsync(_clusterCa, "localhost");

        var client = KubeApiClient.FromConfig(Load($"https://localhost:{port}", _clusterCa, user: $"""
                token: {Token}
                client-certificate-data: {Base64(clientCert.ExportCertificatePem())}
                client-key-data: {Base64(clientCert.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem())}
            """), "drover/9.9.9");
        var got = await client.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None);

        Assert.Equal("from-tls-server", got!.Data["answer"]);
        var seen = Assert.Single(_seen);
        Assert.Equal($"Bearer {Token}", seen.Authorization);
        Assert.Equal("drover/9.9.9", seen.UserAgent);
        Assert.Equal(clientCert.Thumbprint, seen.ClientCertificateThumbprint);
    }

    [Fact]
    public async Task A_server_signed_by_another_CA_is_refused_before_any_request_is_sent()
    {
        var port = await StartServerAsync(_otherCa, "localhost");
        var client = KubeApiClient.FromConfig(Load($"https://localhost:{port}", _clusterCa, user: $"token: {Token}"), "drover/test");

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None));

        Assert.IsType<AuthenticationException>(refused.InnerException);
        Assert.Empty(_seen);
    }

    [Fact]
    public async Task A_certificate_for_another_name_is_refused_unless_tls_server_name_names_it()
    {
        var port = await StartServerAsync(_clusterCa, "kubernetes.default.svc");
        var url = $"https://127.0.0.1:{port}";

        var plain = KubeApiClient.FromConfig(Load(url, _clusterCa, user: $"token: {Token}"), "drover/test");
        await Assert.ThrowsAsync<HttpRequestException>(() => plain.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None));
        Assert.Empty(_seen);

        var named = KubeApiClient.FromConfig(Load(url, _clusterCa, user: $"token: {Token}", clusterExtra: "tls-server-name: kubernetes.default.svc"), "drover/test");
        Assert.NotNull(await named.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None));
        Assert.Equal("kubernetes.default.svc", Assert.Single(_seen).Host);
    }

    [Fact]
    public async Task Insecure_skip_tls_verify_accepts_any_server_certificate()
    {
        var port = await StartServerAsync(_otherCa, "localhost");
        var client = KubeApiClient.FromConfig(Load($"https://localhost:{port}", ca: null, user: $"token: {Token}", clusterExtra: "insecure-skip-tls-verify: true"), "drover/test");

        Assert.NotNull(await client.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None));
        Assert.Equal($"Bearer {Token}", Assert.Single(_seen).Authorization);
    }

    [Fact]
    public void A_configuration_without_a_server_address_says_so()
    {
        var config = new KubernetesClientConfiguration { Host = " " };

        var error = Assert.Throws<KubeConfigException>(() => KubeApiClient.FromConfig(config, "drover/test"));
        Assert.Contains("no API server", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_base_address_ends_in_a_slash_so_paths_append_to_a_server_path_prefix()
    {
        var client = KubeApiClient.FromConfig(new KubernetesClientConfiguration { Host = "https://gateway.example/clusters/prod" }, "drover/test");

        Assert.Equal("https://gateway.example/clusters/prod/", client.BaseAddress.AbsoluteUri);
    }

    private KubernetesClientConfiguration Load(string server, TestAuthority? ca, string user, string clusterExtra = "")
    {
        var caLine = ca is null ? string.Empty : $"certificate-authority-data: {Base64(ca.Certificate.ExportCertificatePem())}";
        var path = Path.Combine(_dir, $"config-{Guid.NewGuid():N}");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
                server: {server}
                {caLine}
                {clusterExtra}
            users:
            - name: u
              user:
                {user.Trim()}
            contexts:
            - name: ctx
              context: {"{"}cluster: c, user: u{"}"}
            current-context: ctx
            """);
        return KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
    }

    private async Task<int> StartServerAsync(TestAuthority issuer, string serverName)
    {
        var serverCert = issuer.Issue(serverName, server: true);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = serverCert,
            ClientCertificateMode = ClientCertificateMode.AllowCertificate,
            ClientCertificateValidation = (_, _, _) => true,
        })));
        var app = builder.Build();
        app.MapGet("/api/v1/namespaces/default/configmaps/settings", (HttpContext context) =>
        {
            _seen.Enqueue(new SeenRequest(
                context.Request.Headers.Authorization.ToString(),
                context.Request.Headers.UserAgent.ToString(),
                context.Request.Host.Host,
                context.Connection.ClientCertificate?.Thumbprint));
            return Results.Text("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"default"},"data":{"answer":"from-tls-server"}}""", "application/json");
        });
        _servers.Add(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new Uri(address).Port;
    }

    private static string Base64(string pem) => Convert.ToBase64String(Encoding.UTF8.GetBytes(pem));

    private sealed record SeenRequest(string Authorization, string UserAgent, string Host, string? ClientCertificateThumbprint);

    /// <summary>A throwaway certificate authority that issues server and client certificates.</summary>
    private sealed class TestAuthority : IDisposable
    {
        private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        public TestAuthority(string name)
        {
            var request = new CertificateRequest($"CN={name}", _key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
            Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        }

        public X509Certificate2 Certificate { get; }

        public X509Certificate2 Issue(string name, bool server)
        {
            var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
                [server ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
            if (server)
            {
                var names = new SubjectAlternativeNameBuilder();
                names.AddDnsName(name);
                request.CertificateExtensions.Add(names.Build());
            }

            var serial = RandomNumberGenerator.GetBytes(8);
            using var issued = request.Create(Certificate, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), serial);
            return issued.CopyWithPrivateKey(key);
        }

        public void Dispose()
        {
            Certificate.Dispose();
            _key.Dispose();
        }
    }
}
