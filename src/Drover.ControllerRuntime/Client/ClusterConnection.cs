using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using k8s.Exceptions;

namespace Drover.ControllerRuntime.Client;

/// <summary>
/// Everything needed to reach and authenticate to one API server: what a kubeconfig context resolves to (see
/// <see cref="Kubeconfig.Resolve(string?)"/>), or the pod's service account (<see cref="InCluster(Func{string, string?})"/>). At most one way of
/// authenticating is used per request: a bearer token (fixed, or re-read from a file), basic auth, or an exec plugin;
/// a client certificate may come with any of them; none at all is allowed (<c>user: {}</c>, as for
/// <c>kubectl proxy</c> or a plain-HTTP local server).
/// </summary>
public sealed record ClusterConnection
{
    /// <summary>Where the service account's files are mounted in every pod.</summary>
    public const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>The API server, e.g. <c>https://10.96.0.1:443</c> or <c>http://127.0.0.1:8001/prefix</c>.</summary>
    public required Uri Server { get; init; }

    /// <summary>The cluster's CA certificates (<c>certificate-authority</c> or <c>-data</c>); null trusts the machine's store.</summary>
    public X509Certificate2Collection? CertificateAuthorities { get; init; }

    /// <summary><c>insecure-skip-tls-verify</c>: accept any server certificate.</summary>
    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary><c>tls-server-name</c>: the name the server certificate must carry, when it is not the server URL's host.</summary>
    public string? TlsServerName { get; init; }

    /// <summary><c>proxy-url</c>: an http, https or socks5 proxy every request goes through. Null uses HTTPS_PROXY/NO_PROXY as kubectl does.</summary>
    public Uri? ProxyUrl { get; init; }

    /// <summary>The context's namespace (or the service account's), for callers that need a default namespace.</summary>
    public string? Namespace { get; init; }

    /// <summary>The kubeconfig context this came from; null for in-cluster.</summary>
    public string? ContextName { get; init; }

    /// <summary><c>token</c>: sent as <c>Authorization: Bearer</c>.</summary>
    public string? BearerToken { get; init; }

    /// <summary><c>tokenFile</c> (or the service account token): re-read at least every minute, as client-go does, so rotation is picked up.</summary>
    public string? BearerTokenFile { get; init; }

    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary><c>client-certificate</c>/<c>client-key</c> or their <c>-data</c>, with its private key.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>An <c>exec</c> credential plugin; its credential is cached until its expirationTimestamp.</summary>
    public ExecCredentialPlugin? Exec { get; init; }

    /// <summary><c>as</c>: the user to impersonate.</summary>
    public string? ImpersonateUser { get; init; }

    /// <summary><c>as-uid</c>.</summary>
    public string? ImpersonateUid { get; init; }

    /// <summary><c>as-groups</c>.</summary>
    public IReadOnlyList<string> ImpersonateGroups { get; init; } = [];

    /// <summary><c>as-user-extra</c>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ImpersonateExtra { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>A credential source from elsewhere (the client library's token providers), asked on every request.</summary>
    internal Func<CancellationToken, Task<AuthenticationHeaderValue?>>? AuthorizationSource { get; init; }

    /// <summary>True when the service account environment of a pod is present (KUBERNETES_SERVICE_HOST and _PORT, and the token).</summary>
    public static bool IsInCluster(Func<string, string?> environment) => IsInCluster(environment, ServiceAccountDirectory);

    /// <summary>
    /// The pod's own service account, as client-go's in-cluster config: the API server from KUBERNETES_SERVICE_HOST and
    /// KUBERNETES_SERVICE_PORT, the CA from <c>ca.crt</c>, the token from <c>token</c> (re-read, since the kubelet
    /// rotates it), the namespace from <c>namespace</c>.
    /// </summary>
    /// <exception cref="KubeConfigException">The environment or the service account files are missing.</exception>
    public static ClusterConnection InCluster(Func<string, string?> environment) => InCluster(environment, ServiceAccountDirectory);

    internal static bool IsInCluster(Func<string, string?> environment, string directory) =>
        !string.IsNullOrEmpty(environment("KUBERNETES_SERVICE_HOST")) && !string.IsNullOrEmpty(environment("KUBERNETES_SERVICE_PORT"))
        && File.Exists(Path.Combine(directory, "token"));

    internal static ClusterConnection InCluster(Func<string, string?> environment, string directory)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var host = environment("KUBERNETES_SERVICE_HOST");
        var port = environment("KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
        {
            throw new KubeConfigException("unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined");
        }

        var tokenFile = Path.Combine(directory, "token");
        if (!File.Exists(tokenFile))
        {
            throw new KubeConfigException($"unable to load in-cluster configuration: the service account token {tokenFile} does not exist");
        }

        var caFile = Path.Combine(directory, "ca.crt");
        var namespaceFile = Path.Combine(directory, "namespace");
        return new ClusterConnection
        {
            // An IPv6 address needs brackets in a URL.
            Server = new Uri($"https://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}/"),
            CertificateAuthorities = File.Exists(caFile) ? Certificates.ReadAuthorities(File.ReadAllText(caFile), caFile) : null,
            BearerTokenFile = tokenFile,
            Namespace = File.Exists(namespaceFile) ? File.ReadAllText(namespaceFile).Trim() : null,
        };
    }
}

/// <summary>A kubeconfig <c>exec</c> credential plugin (client.authentication.k8s.io/v1 or v1beta1).</summary>
public sealed record ExecCredentialPlugin
{
    public required string Command { get; init; }

    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Set for the plugin on top of this process's environment.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Env { get; init; } = [];

    /// <summary><c>client.authentication.k8s.io/v1</c> or <c>/v1beta1</c>; the plugin must answer in the same version.</summary>
    public required string ApiVersion { get; init; }

    /// <summary><c>Never</c>, <c>IfAvailable</c> or <c>Always</c>. A controller never has a terminal, so <c>Always</c> cannot work.</summary>
    public string InteractiveMode { get; init; } = "IfAvailable";

    /// <summary>Shown when the command is not found.</summary>
    public string? InstallHint { get; init; }

    /// <summary>Pass the cluster (server, CA, TLS settings) to the plugin in KUBERNETES_EXEC_INFO.</summary>
    public bool ProvideClusterInfo { get; init; }
}
