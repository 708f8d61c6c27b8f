using System.Security.Authentication;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Tests.DevCluster;
using k8s;
using k8s.Exceptions;
using k8s.Models;

namespace Drover.ControllerRuntime.Tests.Client;

/// <summary>
/// What a kubeconfig says, against a real TLS (or plain HTTP) server: the cluster CA is trusted and nothing else is, the
/// credentials the user entry names reach the server (token, token file, basic auth, client certificate, none at all),
/// and tls-server-name, insecure-skip-tls-verify, proxy-url and impersonation work.
/// </summary>
public sealed class KubeTransportTests : IAsyncLifetime, IDisposable
{
    private const string Token = "t0ken-from-kubeconfig";
    private static readonly ResourceKind<V1ConfigMap> ConfigMaps =
        new(string.Empty, "v1", "configmaps", "ConfigMap", namespaced: true, ConfigMapJsonContext.Default.V1ConfigMap);

    private readonly TestAuthority _clusterCa = new("cluster-ca");
    private readonly TestAuthority _otherCa = new("some-other-ca");
    private readonly KubeconfigFiles _files = new();
    private readonly List<IAsyncDisposable> _servers = [];
    private readonly SteppingTimeProvider _time = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }

    public void Dispose()
    {
        _clusterCa.Dispose();
        _otherCa.Dispose();
        _files.Dispose();
    }

    [Fact]
    public async Task A_server_signed_by_the_cluster_CA_is_trusted_and_gets_the_token_client_certificate_and_user_agent()
    {
        using var clientCert = _clusterCa.Issue("drover-operator", server: false);
        var server = await StartAsync(_clusterCa, "localhost");

        var client = Client(_files.Write(
            cluster: $"""
                server: https://localhost:{server.Address.Port}
                certificate-authority-data: {_clusterCa.PemBase64}
                """,
            user: $"""
                token: {Token}
                client-certificate-data: {TestAuthority.Base64(clientCert.ExportCertificatePem())}
                client-key-data: {TestAuthority.Base64(TestAuthority.KeyPem(clientCert))}
                """),
            "drover/9.9.9");
        var got = await client.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None);

        Assert.Equal("from-the-server", got!.Data["answer"]);
        var seen = Assert.Single(server.Seen);
        Assert.Equal($"Bearer {Token}", seen.Authorization);
        Assert.Equal("drover/9.9.9", seen.UserAgent);
        Assert.Equal(clientCert.Thumbprint, seen.ClientCertificateThumbprint);
    }

    [Fact]
    public async Task Files_named_relative_to_the_kubeconfig_are_read_from_its_directory()
    {
        using var clientCert = _clusterCa.Issue("file-user", server: false);
        var server = await StartAsync(_clusterCa, "localhost");
        _files.WriteFile("team/pki/ca.crt", _clusterCa.Pem);
        _files.WriteFile("team/pki/client.crt", clientCert.ExportCertificatePem());
        _files.WriteFile("team/pki/client.key", TestAuthority.KeyPem(clientCert));

        var client = Client(_files.Write(
            cluster: $"""
                server: https://localhost:{server.Address.Port}
                certificate-authority: pki/ca.crt
                """,
            user: """
                client-certificate: pki/client.crt
                client-key: ./pki/client.key
                """,
            name: "team/config"));

        Assert.NotNull(await client.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None));
        var seen = Assert.Single(server.Seen);
        Assert.Equal(clientCert.Thumbprint, seen.ClientCertificateThumbprint);
        Assert.Equal(string.Empty, seen.Authorization);
    }

    [Fact]
    public async Task A_server_signed_by_another_CA_is_refused_before_any_request_is_sent()
    {
        var server = await StartAsync(_otherCa, "localhost");
        var client = Client(_files.Write(
            cluster: $"""
                server: https://localhost:{server.Address.Port}
                certificate-authority-data: {_clusterCa.PemBase64}
                """,
            user: $"token: {Token}"));

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None));

        Assert.IsType<AuthenticationException>(refused.InnerException);
        Assert.Empty(server.Seen);
    }

    [Fact]
    public async Task A_certificate_for_another_name_is_refused_unless_tls_server_name_names_it()
    {
        var server = await StartAsync(_clusterCa, "kubernetes.default.svc");
        var cluster = $"""
            server: https://127.0.0.1:{server.Address.Port}
            certificate-authority-data: {_clusterCa.PemBase64}
            """;

        var plain = Client(_files.Write(cluster, user: $"token: {Token}", name: "plain"));
        await Assert.ThrowsAsync<HttpRequestException>(() => plain.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None));
        Assert.Empty(server.Seen);

        var named = Client(_files.Write(cluster + "\ntls-server-name: kubernetes.default.svc", user: $"token: {Token}", name: "named"));
        Assert.NotNull(await named.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None));
        Assert.Equal("kubernetes.default.svc", Assert.Single(server.Seen).Host);
    }

    [Fact]
    public async Task Insecure_skip_tls_verify_accepts_any_server_certificate()
    {
        var server = await StartAsync(_otherCa, "localhost");
        var client = Client(_files.Write(
            cluster: $"""
                server: https://localhost:{server.Address.Port}
                insecure-skip-tls-verify: true
                """,
            user: $"token: {Token}"));

        Assert.NotNull(await client.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None));
        Assert.Equal($"Bearer {Token}", Assert.Single(server.Seen).Authorization);
    }

    [Fact]
    public async Task A_user_without_credentials_sends_no_Authorization_over_plain_HTTP_or_TLS()
    {
        var plainServer = await StartAsync(authority: null, name: null);
        var plain = Client(_files.Write(cluster: $"server: {plainServer.Address}", user: string.Empty, name: "plain"));
        Assert.NotNull(await plain.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None));
        Assert.Equal(string.Empty, Assert.Single(plainServer.Seen).Authorization);

        var tlsServer = await StartAsync(_clusterCa, "localhost");
        var tls = Client(_files.Write(
            cluster: $"""
                server: https://localhost:{tlsServer.Address.Port}
                certificate-authority-data: {_clusterCa.PemBase64}
                """,
            user: string.Empty,
            name: "tls"));
        Assert.NotNull(await tls.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None));
        var seen = Assert.Single(tlsServer.Seen);
        Assert.Equal(string.Empty, seen.Authorization);
        Assert.Null(seen.ClientCertificateThumbprint);
    }

    [Fact]
    public async Task A_token_file_is_read_and_read_again_a_minute_later_so_a_rotated_token_is_used()
    {
        var server = await StartAsync(authority: null, name: null);
        var tokenFile = _files.WriteFile("secrets/token", "first-token\n");
        var client = Client(_files.Write(cluster: $"server: {server.Address}", user: "tokenFile: secrets/token"));

        await client.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None);
        File.WriteAllText(tokenFile, "second-token");
        await client.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        await client.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None);

        Assert.Equal(["Bearer first-token", "Bearer first-token", "Bearer second-token"], server.Seen.Select(s => s.Authorization));
    }

    [Fact]
    public async Task A_token_file_that_was_rejected_is_read_again_at_once()
    {
        var server = await StartAsync(authority: null, name: null);
        server.Reject = authorization => authorization == "Bearer revoked";
        var tokenFile = _files.WriteFile("token", "revoked");
        var client = Client(_files.Write(cluster: $"server: {server.Address}", user: "tokenFile: token"));

        var rejected = await Assert.ThrowsAsync<KubeApiException>(() => client.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, rejected.StatusCode);
        File.WriteAllText(tokenFile, "renewed");
        Assert.NotNull(await client.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None));

        Assert.Equal("Bearer renewed", server.Seen.Last().Authorization);
    }

    [Fact]
    public async Task Basic_auth_and_impersonation_reach_the_server()
    {
        var server = await StartAsync(authority: null, name: null);
        var client = Client(_files.Write(
            cluster: $"server: {server.Address}",
            user: """
                username: admin
                password: "s3cret:with-colon"
                as: jane
                as-uid: "1234"
                as-groups: [developers, auditors]
                as-user-extra:
                  scopes: [view]
                """));

        await client.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None);

        var seen = Assert.Single(server.Seen);
        Assert.Equal("Basic " + TestAuthority.Base64("admin:s3cret:with-colon"), seen.Authorization);
        Assert.Equal("jane", seen.Impersonation["Impersonate-User"]);
        Assert.Equal("1234", seen.Impersonation["Impersonate-Uid"]);
        Assert.Equal(["developers", "auditors"], seen.Impersonation["Impersonate-Group"].Split(',').Select(g => g.Trim()));
        Assert.Equal("view", seen.Impersonation["Impersonate-Extra-scopes"]);
    }

    [Fact]
    public async Task A_proxy_url_carries_requests_to_a_TLS_server_through_a_CONNECT_tunnel()
    {
        var server = await StartAsync(_clusterCa, "localhost");
        await using var proxy = new ConnectProxy();
        var client = Client(_files.Write(
            cluster: $"""
                server: https://localhost:{server.Address.Port}
                certificate-authority-data: {_clusterCa.PemBase64}
                proxy-url: {proxy.Address}
                """,
            user: $"token: {Token}"));

        Assert.NotNull(await client.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None));

        Assert.Equal($"CONNECT localhost:{server.Address.Port} HTTP/1.1", Assert.Single(proxy.RequestLines));
        Assert.Equal($"Bearer {Token}", Assert.Single(server.Seen).Authorization);
    }

    [Fact]
    public async Task A_proxy_url_carries_requests_to_a_plain_HTTP_server()
    {
        var server = await StartAsync(authority: null, name: null);
        await using var proxy = new ConnectProxy();
        var client = Client(_files.Write(cluster: $"server: {server.Address}\nproxy-url: {proxy.Address}", user: $"token: {Token}"));

        Assert.NotNull(await client.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None));

        Assert.StartsWith($"GET {server.Address.AbsoluteUri.TrimEnd('/')}{RecordingApiServer.Path} ", Assert.Single(proxy.RequestLines), StringComparison.Ordinal);
        Assert.Single(server.Seen);
    }

    [Fact]
    public async Task In_a_pod_the_service_account_token_and_CA_are_used_and_the_token_is_read_again_as_it_rotates()
    {
        var server = await StartAsync(_clusterCa, "localhost");
        var serviceAccount = Path.Combine(_files.Directory, "serviceaccount");
        _files.WriteFile("serviceaccount/ca.crt", _clusterCa.Pem);
        var tokenFile = _files.WriteFile("serviceaccount/token", "pod-token-1");
        _files.WriteFile("serviceaccount/namespace", "drover-system\n");
        var environment = new Dictionary<string, string> { ["KUBERNETES_SERVICE_HOST"] = "localhost", ["KUBERNETES_SERVICE_PORT"] = server.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) };

        var connection = KubeconfigLoader.Load(null, null, environment.GetValueOrDefault, serviceAccount);
        var client = KubeApiClient.FromConnection(connection, "drover/test", time: _time);
        await client.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None);
        File.WriteAllText(tokenFile, "pod-token-2");
        _time.Advance(TimeSpan.FromMinutes(1));
        await client.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None);

        Assert.Equal("drover-system", connection.Namespace);
        Assert.Equal(["Bearer pod-token-1", "Bearer pod-token-2"], server.Seen.Select(s => s.Authorization));
    }

    [Fact]
    public void A_library_configuration_without_a_server_address_says_so()
    {
        var config = new KubernetesClientConfiguration { Host = " " };

        var error = Assert.Throws<KubeConfigException>(() => KubeApiClient.FromConfig(config, "drover/test"));
        Assert.Contains("no API server", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_base_address_ends_in_a_slash_so_paths_append_to_a_server_path_prefix()
    {
        var fromLibrary = KubeApiClient.FromConfig(new KubernetesClientConfiguration { Host = "https://gateway.example/clusters/prod" }, "drover/test");
        var fromKubeconfig = KubeApiClient.FromConnection(new ClusterConnection { Server = new Uri("https://gateway.example/clusters/prod") }, "drover/test");

        Assert.Equal("https://gateway.example/clusters/prod/", fromLibrary.BaseAddress.AbsoluteUri);
        Assert.Equal("https://gateway.example/clusters/prod/", fromKubeconfig.BaseAddress.AbsoluteUri);
    }

    private KubeApiClient Client(string kubeconfig, string userAgent = "drover/test") =>
        KubeApiClient.FromConnection(Kubeconfig.LoadFile(kubeconfig).Resolve(), userAgent, time: _time);

    private async Task<RecordingApiServer> StartAsync(TestAuthority? authority, string? name)
    {
        var server = await RecordingApiServer.StartAsync(authority?.Issue(name!, server: true));
        _servers.Add(server);
        return server;
    }
}
