using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.Authentication;
using k8s.Exceptions;

namespace Drover.ControllerRuntime.Client;

/// <summary>
/// The HTTP transport a kubeconfig or the in-cluster service account describes: server address, TLS (cluster CA,
/// client certificate, skip-verify, server name) and credentials (token, token file or exec plugin, basic auth).
/// Built here rather than by constructing the client library's <see cref="Kubernetes"/>: that constructor sets up the
/// library's JSON options, which under NativeAOT compiles in metadata for every Kubernetes model there is.
/// </summary>
public sealed class KubeTransport
{
    private KubeTransport(HttpClient http, Uri baseAddress, Func<HttpRequestMessage, CancellationToken, Task> prepare)
    {
        Http = http;
        BaseAddress = baseAddress;
        Prepare = prepare;
    }

    public HttpClient Http { get; }

    /// <summary>The API server's address, always ending in <c>/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Adds credentials (and the TLS server name, when set) to each request.</summary>
    public Func<HttpRequestMessage, CancellationToken, Task> Prepare { get; }

    /// <param name="config">A kubeconfig-derived or in-cluster configuration.</param>
    /// <param name="userAgent">Sent with every request, so audit logs and API server metrics name the caller.</param>
    public static KubeTransport Create(KubernetesClientConfiguration config, string userAgent)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrEmpty(userAgent);
        var baseAddress = BaseAddressOf(config.Host);
        var handler = new SocketsHttpHandler
        {
            // Watches stay open for minutes; pings find a dead connection behind a silent NAT or load balancer.
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            KeepAlivePingDelay = TimeSpan.FromMinutes(3),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
            EnableMultipleHttp2Connections = true,
        };

        if (baseAddress.Scheme == Uri.UriSchemeHttps)
        {
            if (config.SkipTlsVerify)
            {
                // insecure-skip-tls-verify: the kubeconfig's owner asked for it explicitly.
#pragma warning disable CA5359
                handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
            }
            else if (config.SslCaCerts is { Count: > 0 } caCerts)
            {
                handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => IssuedByClusterCa(caCerts, certificate, chain, errors);
            }

            if (ClientCertificate(config) is { } clientCertificate)
            {
                handler.SslOptions.ClientCertificates = [clientCertificate];
                handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
            }
        }

        var http = new HttpClient(handler) { Timeout = config.HttpClientTimeout };
        http.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        var credentials = Kubernetes.CreateCredentials(config);
        var serverName = string.IsNullOrWhiteSpace(config.TlsServerName) ? null : config.TlsServerName;
        return new KubeTransport(http, baseAddress, (request, cancellationToken) => PrepareAsync(request, credentials, serverName, cancellationToken));
    }

    /// <summary>
    /// Accepts the server's certificate when it chains to one of the cluster's CA certificates, which usually are not
    /// in the machine's trust store.
    /// </summary>
    internal static bool IssuedByClusterCa(X509Certificate2Collection caCerts, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        // A wrong host name or a missing certificate is not something a custom root can fix.
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null || chain is null)
        {
            return false;
        }

        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(caCerts);
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    /// <summary>client-certificate(-data) with client-key(-data), PEM as kubeconfig holds them; null when either is absent.</summary>
    internal static X509Certificate2? ClientCertificate(KubernetesClientConfiguration config)
    {
        var certificate = Pem(config.ClientCertificateData, config.ClientCertificateFilePath);
        var key = Pem(config.ClientCertificateKeyData, config.ClientKeyFilePath);
        return certificate is null || key is null ? null : X509Certificate2.CreateFromPem(certificate, key);
    }

    private static string? Pem(string? base64Data, string? path) =>
        !string.IsNullOrWhiteSpace(path) ? File.ReadAllText(path)
        : !string.IsNullOrWhiteSpace(base64Data) ? Encoding.UTF8.GetString(Convert.FromBase64String(base64Data))
        : null;

    private static Uri BaseAddressOf(string? host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            throw new KubeConfigException("The configuration names no API server (cluster.server is empty).");
        }

        if (!Uri.TryCreate(host, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new KubeConfigException($"The API server address \"{host}\" is not an http(s) URL.");
        }

        var text = uri.AbsoluteUri;
        return text.EndsWith('/') ? uri : new Uri(text + "/");
    }

    private static async Task PrepareAsync(HttpRequestMessage request, ServiceClientCredentials? credentials, string? serverName, CancellationToken cancellationToken)
    {
        if (serverName is not null)
        {
            // The handler takes the TLS server name (SNI and certificate check) from the Host header when one is set.
            request.Headers.Host = serverName;
        }

        if (credentials is not null)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
