using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.Exceptions;

namespace Drover.ControllerRuntime.Client;

/// <summary>
/// The HTTP transport a <see cref="ClusterConnection"/> describes: server address, TLS (cluster CA, client certificate,
/// skip-verify, server name), proxy, and credentials (token, token file, basic auth, exec plugin, none), applied by a
/// handler in front of the socket handler. Built here rather than by constructing the client library's
/// <see cref="Kubernetes"/>: that constructor sets up the library's JSON options, which under NativeAOT compiles in
/// metadata for every Kubernetes model there is.
/// </summary>
public sealed class KubeTransport
{
    private KubeTransport(HttpClient http, Uri baseAddress)
    {
        Http = http;
        BaseAddress = baseAddress;
    }

    /// <summary>Sends requests with the connection's TLS, proxy and credentials; no client timeout (watches stay open).</summary>
    public HttpClient Http { get; }

    /// <summary>The API server's address, always ending in <c>/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <param name="connection">Where the API server is and how to authenticate to it.</param>
    /// <param name="userAgent">Sent with every request, so audit logs and API server metrics name the caller.</param>
    /// <param name="time">The clock cached credentials expire on.</param>
    public static KubeTransport Create(ClusterConnection connection, string userAgent, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrEmpty(userAgent);
        var baseAddress = BaseAddressOf(connection.Server.OriginalString);
        var credentials = RequestCredentials.For(connection, time ?? TimeProvider.System);
        var handler = new SocketsHttpHandler
        {
            // Watches stay open for minutes; pings find a dead connection behind a silent NAT or load balancer.
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            KeepAlivePingDelay = TimeSpan.FromMinutes(3),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
            EnableMultipleHttp2Connections = true,
        };

        if (connection.ProxyUrl is { } proxyUrl)
        {
            handler.UseProxy = true;
            handler.Proxy = Proxy(proxyUrl);
        }

        if (baseAddress.Scheme == Uri.UriSchemeHttps)
        {
            if (connection.InsecureSkipTlsVerify)
            {
                // insecure-skip-tls-verify: the kubeconfig's owner asked for it explicitly.
#pragma warning disable CA5359
                handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
            }
            else if (connection.CertificateAuthorities is { Count: > 0 } caCerts)
            {
                handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => IssuedByClusterCa(caCerts, certificate, chain, errors);
            }

            var fixedCertificate = connection.ClientCertificate;
            if (fixedCertificate is not null)
            {
                handler.SslOptions.ClientCertificates = [fixedCertificate];
            }

            if (fixedCertificate is not null || credentials?.ClientCertificate is not null || connection.Exec is not null)
            {
                // An exec plugin's certificate is only known once it has run, which happens before the request is sent.
                handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => credentials?.ClientCertificate ?? fixedCertificate!;
            }
        }

        var http = new HttpClient(new CredentialHandler(connection, credentials, handler)) { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        return new KubeTransport(http, baseAddress);
    }

    /// <summary>The same transport from the client library's configuration type (kept for code that already builds one).</summary>
    public static KubeTransport Create(KubernetesClientConfiguration config, string userAgent) => Create(ToConnection(config), userAgent);

    internal static ClusterConnection ToConnection(KubernetesClientConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var provider = config.TokenProvider;
        return new ClusterConnection
        {
            Server = BaseAddressOf(config.Host),
            CertificateAuthorities = config.SslCaCerts,
            InsecureSkipTlsVerify = config.SkipTlsVerify,
            TlsServerName = string.IsNullOrWhiteSpace(config.TlsServerName) ? null : config.TlsServerName,
            Namespace = config.Namespace,
            BearerToken = string.IsNullOrEmpty(config.AccessToken) ? null : config.AccessToken,
            Username = string.IsNullOrEmpty(config.Username) ? null : config.Username,
            Password = config.Password,
            ClientCertificate = ClientCertificate(config),
            AuthorizationSource = provider is null ? null : async cancellationToken => await provider.GetAuthenticationHeaderAsync(cancellationToken).ConfigureAwait(false),
        };
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

    private static WebProxy Proxy(Uri proxyUrl)
    {
        var proxy = new WebProxy(new UriBuilder(proxyUrl) { UserName = string.Empty, Password = string.Empty }.Uri);
        if (proxyUrl.UserInfo.Length > 0)
        {
            // http://user:password@proxy:3128, as kubectl accepts it.
            var colon = proxyUrl.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = Uri.UnescapeDataString(colon < 0 ? proxyUrl.UserInfo : proxyUrl.UserInfo[..colon]);
            var password = colon < 0 ? string.Empty : Uri.UnescapeDataString(proxyUrl.UserInfo[(colon + 1)..]);
            proxy.Credentials = new NetworkCredential(user, password);
        }

        return proxy;
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
}
