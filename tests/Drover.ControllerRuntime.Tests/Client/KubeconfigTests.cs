using Drover.ControllerRuntime.Client;
using k8s.Exceptions;

namespace Drover.ControllerRuntime.Tests.Client;

/// <summary>Reading kubeconfigs as kubectl does: KUBECONFIG merging, context choice, the namespace, and kubectl's errors.</summary>
public sealed class KubeconfigTests : IDisposable
{
    private readonly KubeconfigFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Several_files_merge_with_the_first_definition_of_each_name_and_the_first_current_context_winning()
    {
        var first = _files.WriteFile("first", """
            apiVersion: v1
            kind: Config
            clusters:
            - name: shared
              cluster: {server: "https://first.example"}
            contexts:
            - name: dev
              context: {cluster: shared, namespace: team-a}
            """);
        var second = _files.WriteFile("second", """
            apiVersion: v1
            kind: Config
            current-context: prod
            clusters:
            - name: shared
              cluster: {server: "https://second.example"}
            - name: prod-cluster
              cluster: {server: "https://prod.example:6443"}
            users:
            - name: prod-user
              user: {token: prod-token}
            contexts:
            - name: dev
              context: {cluster: prod-cluster}
            - name: prod
              context: {cluster: prod-cluster, user: prod-user}
            """);
        var third = _files.WriteFile("third", "current-context: dev\n");

        var merged = Kubeconfig.Load([Path.Combine(_files.Directory, "missing"), first, second, third]);

        Assert.Equal("prod", merged.CurrentContext);
        Assert.Equal([first, second, third], merged.Files);
        var prod = merged.Resolve();
        Assert.Equal(new Uri("https://prod.example:6443"), prod.Server);
        Assert.Equal("prod-token", prod.BearerToken);
        Assert.Null(prod.Namespace);
        var dev = merged.Resolve("dev");
        Assert.Equal(new Uri("https://first.example"), dev.Server);
        Assert.Equal("team-a", dev.Namespace);
        Assert.Equal("dev", dev.ContextName);
        Assert.Null(dev.BearerToken);
    }

    [Fact]
    public void The_loader_takes_the_explicit_file_then_KUBECONFIG_then_the_service_account_then_the_home_directory()
    {
        var explicitFile = _files.Write(cluster: "server: https://explicit.example", name: "explicit");
        var listed = _files.Write(cluster: "server: https://listed.example", name: "listed");
        _files.Write(cluster: "server: https://home.example", name: "home/.kube/config");
        var serviceAccount = Path.Combine(_files.Directory, "sa");
        _files.WriteFile("sa/token", "pod-token");
        var environment = new Dictionary<string, string>
        {
            ["KUBECONFIG"] = listed,
            ["HOME"] = Path.Combine(_files.Directory, "home"),
            ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1",
            ["KUBERNETES_SERVICE_PORT"] = "443",
        };
        ClusterConnection Load(string? path = null, string? context = null) => KubeconfigLoader.Load(path, context, environment.GetValueOrDefault, serviceAccount);

        Assert.Equal("explicit.example", Load(explicitFile).Server.Host);
        Assert.Equal("listed.example", Load().Server.Host);
        environment.Remove("KUBECONFIG");
        Assert.Equal(new Uri("https://10.96.0.1:443/"), Load().Server);
        Assert.Equal("home.example", Load(context: "ctx").Server.Host);
        environment.Remove("KUBERNETES_SERVICE_HOST");
        Assert.Equal("home.example", Load().Server.Host);
        environment["HOME"] = Path.Combine(_files.Directory, "nobody");
        Assert.StartsWith("no kubeconfig found: KUBECONFIG is not set", Assert.Throws<KubeConfigException>(() => Load()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_IPv6_service_host_is_bracketed()
    {
        _files.WriteFile("sa/token", "pod-token");
        var environment = new Dictionary<string, string> { ["KUBERNETES_SERVICE_HOST"] = "fd00::1", ["KUBERNETES_SERVICE_PORT"] = "443" };

        var connection = KubeconfigLoader.Load(null, null, environment.GetValueOrDefault, Path.Combine(_files.Directory, "sa"));

        Assert.Equal("https://[fd00::1]/", connection.Server.AbsoluteUri);
        Assert.Equal(Path.Combine(_files.Directory, "sa", "token"), connection.BearerTokenFile);
    }

    [Theory]
    [InlineData("missing", "context was not found for specified context: missing")]
    [InlineData("no-cluster", "cluster was not specified for context \"no-cluster\"")]
    [InlineData("ghost-cluster", "cluster \"ghost\" was not found for context \"ghost-cluster\"")]
    [InlineData("ghost-user", "user \"ghost\" was not found for context \"ghost-user\"")]
    [InlineData("serverless", "no server found for cluster \"serverless\"")]
    [InlineData("bad-namespace", "namespace \"Team_A\" for context \"bad-namespace\" does not conform to the kubernetes DNS_LABEL rules")]
    [InlineData("two-methods", "more than one authentication method found for two-methods; found [token basicAuth], only one is allowed")]
    [InlineData("legacy-provider", "the auth-provider \"gcp\" of user \"legacy-provider\" is not supported")]
    [InlineData("cert-without-key", "client-key-data or client-key must be specified for cert-without-key to use the clientCert authentication method.")]
    [InlineData("ftp-proxy", "invalid 'proxy-url' \"ftp://proxy.example\" for cluster \"ftp-proxy\": unsupported scheme \"ftp\", must be http, https, or socks5")]
    [InlineData("insecure-with-ca", "specifying a root certificates file with the insecure flag is not allowed")]
    [InlineData("not-a-url", "invalid server \"localhost:6443\" for cluster \"not-a-url\": it must be an http:// or https:// URL")]
    [InlineData("missing-ca-file", "unable to read certificate-authority")]
    public void A_context_that_cannot_be_used_fails_in_kubectls_words(string context, string message)
    {
        var config = Kubeconfig.LoadFile(_files.WriteFile("config", """
            apiVersion: v1
            kind: Config
            clusters:
            - {name: ok, cluster: {server: "https://ok.example"}}
            - {name: serverless, cluster: {certificate-authority-data: ""}}
            - {name: ftp-proxy, cluster: {server: "https://ok.example", proxy-url: "ftp://proxy.example"}}
            - {name: insecure-with-ca, cluster: {server: "https://ok.example", insecure-skip-tls-verify: true, certificate-authority: ca.crt}}
            - {name: not-a-url, cluster: {server: "localhost:6443"}}
            - {name: missing-ca-file, cluster: {server: "https://ok.example", certificate-authority: nowhere/ca.crt}}
            users:
            - {name: two-methods, user: {token: t, username: u, password: p}}
            - {name: legacy-provider, user: {auth-provider: {name: gcp}}}
            - {name: cert-without-key, user: {client-certificate-data: "LS0tLQ=="}}
            contexts:
            - {name: no-cluster, context: {user: two-methods}}
            - {name: ghost-cluster, context: {cluster: ghost}}
            - {name: ghost-user, context: {cluster: ok, user: ghost}}
            - {name: serverless, context: {cluster: serverless}}
            - {name: bad-namespace, context: {cluster: ok, namespace: Team_A}}
            - {name: two-methods, context: {cluster: ok, user: two-methods}}
            - {name: legacy-provider, context: {cluster: ok, user: legacy-provider}}
            - {name: cert-without-key, context: {cluster: ok, user: cert-without-key}}
            - {name: ftp-proxy, context: {cluster: ftp-proxy}}
            - {name: insecure-with-ca, context: {cluster: insecure-with-ca}}
            - {name: not-a-url, context: {cluster: not-a-url}}
            - {name: missing-ca-file, context: {cluster: missing-ca-file}}
            """));

        var error = Assert.Throws<KubeConfigException>(() => config.Resolve(context));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_that_cannot_be_read_as_kubeconfigs_say_which_file_and_why()
    {
        var missing = Path.Combine(_files.Directory, "absent");
        Assert.Equal($"stat {missing}: no such file or directory", Assert.Throws<KubeConfigException>(() => Kubeconfig.LoadFile(missing)).Message);

        var broken = _files.WriteFile("broken", "clusters: [ {name: a\n");
        Assert.StartsWith($"error loading config file \"{broken}\": ", Assert.Throws<KubeConfigException>(() => Kubeconfig.LoadFile(broken)).Message, StringComparison.Ordinal);

        var duplicate = _files.WriteFile("duplicate", "clusters:\n- {name: a, cluster: {server: https://a}}\n- {name: a, cluster: {server: https://b}}\n");
        Assert.Equal($"error loading config file \"{duplicate}\": duplicate name \"a\" in clusters", Assert.Throws<KubeConfigException>(() => Kubeconfig.LoadFile(duplicate)).Message);

        var notBase64 = _files.Write(cluster: "server: https://a\ncertificate-authority-data: '%%%'", name: "not-base64");
        Assert.Contains("certificate-authority-data of cluster \"c\" is not valid base64", Assert.Throws<KubeConfigException>(() => Kubeconfig.LoadFile(notBase64)).Message, StringComparison.Ordinal);

        Assert.StartsWith("none of the kubeconfig files exists", Assert.Throws<KubeConfigException>(() => Kubeconfig.Load([missing])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kubeconfig_without_a_current_context_needs_one_named()
    {
        var config = Kubeconfig.Parse("""
            clusters: [{name: c, cluster: {server: "http://127.0.0.1:8001"}}]
            contexts: [{name: proxy, context: {cluster: c}}]
            """);

        Assert.StartsWith("no context chosen", Assert.Throws<KubeConfigException>(() => config.Resolve()).Message, StringComparison.Ordinal);
        var connection = config.Resolve("proxy");
        Assert.Equal(new Uri("http://127.0.0.1:8001"), connection.Server);
        Assert.Null(connection.BearerToken);
        Assert.Null(connection.Exec);
    }

    [Fact]
    public void An_exec_command_with_a_path_is_taken_relative_to_the_kubeconfig_and_a_bare_one_is_left_for_PATH()
    {
        var withPath = Kubeconfig.LoadFile(_files.Write(
            cluster: "server: https://a",
            user: "exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: ./bin/get-token}",
            name: "team/with-path")).Resolve();
        var bare = Kubeconfig.LoadFile(_files.Write(
            cluster: "server: https://a",
            user: "exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: kubelogin}",
            name: "team/bare")).Resolve();

        Assert.Equal(Path.Combine(_files.Directory, "team", "bin", "get-token"), withPath.Exec!.Command);
        Assert.Equal("IfAvailable", withPath.Exec.InteractiveMode);
        Assert.Equal("kubelogin", bare.Exec!.Command);
    }
}
