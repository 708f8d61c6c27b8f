using System.Text.Json.Nodes;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Tests.DevCluster;
using k8s.Exceptions;
using k8s.Models;

namespace Drover.ControllerRuntime.Tests.Client;

/// <summary>
/// kubeconfig exec credential plugins, run for real (small shell scripts): the token they print reaches the server,
/// with their args and env, and is cached until its expirationTimestamp or a 401; their failures read like kubectl's.
/// </summary>
public sealed class ExecCredentialTests : IAsyncLifetime, IDisposable
{
    private static readonly ResourceKind<V1ConfigMap> ConfigMaps =
        new(string.Empty, "v1", "configmaps", "ConfigMap", namespaced: true, ConfigMapJsonContext.Default.V1ConfigMap);

    private readonly KubeconfigFiles _files = new();
    private readonly SteppingTimeProvider _time = new();
    private RecordingApiServer _server = null!;

    public async Task InitializeAsync() => _server = await RecordingApiServer.StartAsync(certificate: null);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _files.Dispose();

    private string Runs => Path.Combine(_files.Directory, "runs");

    [Fact]
    public async Task The_plugin_token_reaches_the_server_and_is_cached_until_its_expirationTimestamp()
    {
        // The clock starts at 2025-01-01T00:00:00Z; the credential expires ten minutes later.
        var client = Client(Plugin("""{"token":"$1-$PLUGIN_FLAVOUR-$n","expirationTimestamp":"2025-01-01T00:10:00Z"}"""), "client.authentication.k8s.io/v1", "interactiveMode: Never");

        await GetAsync(client);
        await GetAsync(client);
        _time.Advance(TimeSpan.FromMinutes(10));
        await GetAsync(client);
        Assert.Equal(1, RunCount());
        _time.Advance(TimeSpan.FromSeconds(1));
        await GetAsync(client);

        Assert.Equal(2, RunCount());
        Assert.Equal(["Bearer issued-vanilla-1", "Bearer issued-vanilla-1", "Bearer issued-vanilla-1", "Bearer issued-vanilla-2"], _server.Seen.Select(s => s.Authorization));
        var info = JsonNode.Parse(File.ReadAllText(Path.Combine(_files.Directory, "exec-info")))!;
        Assert.Equal("ExecCredential", (string?)info["kind"]);
        Assert.Equal("client.authentication.k8s.io/v1", (string?)info["apiVersion"]);
        Assert.False((bool)info["spec"]!["interactive"]!);
        Assert.Null(info["spec"]!["cluster"]);
    }

    [Fact]
    public async Task A_credential_without_expiry_is_kept_until_the_server_rejects_it()
    {
        _server.Reject = authorization => authorization.EndsWith("-1", StringComparison.Ordinal);
        var client = Client(Plugin("""{"token":"$1-$PLUGIN_FLAVOUR-$n"}"""), "client.authentication.k8s.io/v1beta1");

        var rejected = await Assert.ThrowsAsync<KubeApiException>(() => GetAsync(client));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, rejected.StatusCode);
        await GetAsync(client);
        await GetAsync(client);

        Assert.Equal(2, RunCount());
        Assert.Equal(["Bearer issued-vanilla-1", "Bearer issued-vanilla-2", "Bearer issued-vanilla-2"], _server.Seen.Select(s => s.Authorization));
    }

    [Fact]
    public async Task Provide_cluster_info_hands_the_plugin_the_server()
    {
        var client = Client(Plugin("""{"token":"t"}"""), "client.authentication.k8s.io/v1", "interactiveMode: IfAvailable\nprovideClusterInfo: true");

        await GetAsync(client);

        var info = JsonNode.Parse(File.ReadAllText(Path.Combine(_files.Directory, "exec-info")))!;
        Assert.Equal(_server.Address.AbsoluteUri.TrimEnd('/'), (string?)info["spec"]!["cluster"]!["server"]);
    }

    [Fact]
    public async Task A_client_certificate_from_the_plugin_is_presented_in_the_TLS_handshake()
    {
        using var authority = new TestAuthority("cluster-ca");
        using var issued = authority.Issue("exec-user", server: false);
        await using var tlsServer = await RecordingApiServer.StartAsync(authority.Issue("localhost", server: true));
        var credential = new JsonObject
        {
            ["apiVersion"] = "client.authentication.k8s.io/v1",
            ["kind"] = "ExecCredential",
            ["status"] = new JsonObject { ["clientCertificateData"] = issued.ExportCertificatePem(), ["clientKeyData"] = TestAuthority.KeyPem(issued) },
        };
        _files.WriteFile("credential.json", credential.ToJsonString());
        var script = _files.WriteScript("cert-plugin", $"cat {Path.Combine(_files.Directory, "credential.json")}\n");
        var client = KubeApiClient.FromConnection(
            Kubeconfig.LoadFile(_files.Write(
                cluster: $"""
                    server: https://localhost:{tlsServer.Address.Port}
                    certificate-authority-data: {authority.PemBase64}
                    """,
                user: $"""
                    exec:
                      apiVersion: client.authentication.k8s.io/v1
                      command: {script}
                      interactiveMode: Never
                    """,
                name: "cert")).Resolve(),
            "drover/test");

        await GetAsync(client);

        var seen = Assert.Single(tlsServer.Seen);
        Assert.Equal(issued.Thumbprint, seen.ClientCertificateThumbprint);
        Assert.Equal(string.Empty, seen.Authorization);
    }

    [Fact]
    public async Task A_plugin_that_is_not_installed_fails_the_request_with_its_install_hint()
    {
        var client = Client(
            "/nonexistent/bin/kubelogin",
            "client.authentication.k8s.io/v1",
            "interactiveMode: Never\ninstallHint: \"install kubelogin: https://example.invalid/kubelogin\"");

        var error = await Assert.ThrowsAsync<KubeApiException>(() => GetAsync(client));

        Assert.StartsWith("getting credentials: exec: executable /nonexistent/bin/kubelogin not found", error.Message, StringComparison.Ordinal);
        Assert.Contains("install kubelogin: https://example.invalid/kubelogin", error.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Seen);
    }

    [Fact]
    public async Task A_plugin_that_fails_reports_its_exit_code_and_stderr_and_is_run_again_next_time()
    {
        var script = _files.WriteScript("failing-plugin", """
            echo "login required: run 'tool login'" >&2
            exit 3
            """);
        var client = Client(script, "client.authentication.k8s.io/v1", "interactiveMode: Never");

        var error = await Assert.ThrowsAsync<KubeApiException>(() => GetAsync(client));

        Assert.Equal($"getting credentials: exec: executable {script} failed with exit code 3: login required: run 'tool login'", error.Message);
        Assert.Empty(_server.Seen);
    }

    [Fact]
    public async Task A_plugin_answering_in_another_API_version_or_without_a_credential_is_refused()
    {
        var wrongVersion = Client(Plugin("""{"token":"t"}"""), "client.authentication.k8s.io/v1beta1", name: "wrong-version", answerVersion: "client.authentication.k8s.io/v1");
        var noCredential = Client(Plugin("""{"expirationTimestamp":"2030-01-01T00:00:00Z"}"""), "client.authentication.k8s.io/v1beta1", name: "no-credential");

        Assert.Contains(
            "exec plugin is configured to use API version client.authentication.k8s.io/v1beta1, plugin returned version client.authentication.k8s.io/v1",
            (await Assert.ThrowsAsync<KubeApiException>(() => GetAsync(wrongVersion))).Message,
            StringComparison.Ordinal);
        Assert.Contains("exec plugin didn't return a token or cert/key pair", (await Assert.ThrowsAsync<KubeApiException>(() => GetAsync(noCredential))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plugin_that_must_be_interactive_cannot_run_without_a_terminal()
    {
        var client = Client(Plugin("""{"token":"t"}"""), "client.authentication.k8s.io/v1", "interactiveMode: Always");

        var error = await Assert.ThrowsAsync<KubeApiException>(() => GetAsync(client));

        Assert.Contains("cannot support interactive mode", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, RunCount());
    }

    [Fact]
    public void A_v1_plugin_without_interactiveMode_or_with_an_unknown_API_version_is_refused_when_the_kubeconfig_is_read()
    {
        var noMode = Assert.Throws<KubeConfigException>(() => Load(Plugin("""{"token":"t"}"""), "client.authentication.k8s.io/v1", name: "no-mode"));
        var alpha = Assert.Throws<KubeConfigException>(() => Load(Plugin("""{"token":"t"}"""), "client.authentication.k8s.io/v1alpha1", name: "alpha"));

        Assert.Equal("interactiveMode must be specified for u to use exec authentication plugin", noMode.Message);
        Assert.StartsWith("exec plugin: invalid apiVersion \"client.authentication.k8s.io/v1alpha1\"", alpha.Message, StringComparison.Ordinal);
    }

    /// <summary>A plugin that counts its runs, saves KUBERNETES_EXEC_INFO, and prints an ExecCredential with <paramref name="status"/>.</summary>
    private string Plugin(string status) => _files.WriteScript("plugins/issue-token", $$"""
        n=$(( $(cat "$RUNS" 2>/dev/null || echo 0) + 1 ))
        echo "$n" > "$RUNS"
        printf '%s' "$KUBERNETES_EXEC_INFO" > "$(dirname "$RUNS")/exec-info"
        cat <<JSON
        {"apiVersion":"$ANSWER_VERSION","kind":"ExecCredential","status":{{status}}}
        JSON
        """);

    private int RunCount() => File.Exists(Runs) ? int.Parse(File.ReadAllText(Runs).Trim(), System.Globalization.CultureInfo.InvariantCulture) : 0;

    private KubeApiClient Client(string command, string apiVersion, string extra = "", string name = "config", string? answerVersion = null) =>
        KubeApiClient.FromConnection(Load(command, apiVersion, extra, name, answerVersion), "drover/test", time: _time);

    private ClusterConnection Load(string command, string apiVersion, string extra = "", string name = "config", string? answerVersion = null) =>
        Kubeconfig.LoadFile(_files.Write(
            cluster: $"server: {_server.Address}",
            user: $"""
                exec:
                  apiVersion: {apiVersion}
                  command: {command}
                  args: [issued]
                  env:
                  - name: PLUGIN_FLAVOUR
                    value: vanilla
                  - name: RUNS
                    value: {Runs}
                  - name: ANSWER_VERSION
                    value: {answerVersion ?? apiVersion}
                {string.Join("\n", extra.Split('\n').Select(l => "  " + l))}
                """,
            name: name)).Resolve();

    private static Task<V1ConfigMap?> GetAsync(KubeApiClient client) => client.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None);
}
