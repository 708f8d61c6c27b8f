using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Drover.Gateway.Hosting;

/// <summary>
/// TLS to Redis beyond <c>ssl=true</c>: the CAs that may issue Redis's certificate (<c>--redis-ca</c>, a PEM bundle,
/// trusted instead of the system's store, as a private CA such as cert-manager's needs) and the certificate the gateway
/// shows Redis (<c>--redis-client-cert</c> and <c>--redis-client-key</c>, for a Redis run with <c>tls-auth-clients</c>).
/// The files are read at start, to refuse bad ones with a clear error, and again at every connection, so a renewed
/// certificate in a mounted Secret is used from the next connection on without a restart.
/// </summary>
internal sealed record RedisTls(string? AuthorityPath, string? CertificatePath, string? KeyPath)
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    /// <summary>The TLS settings of <paramref name="options"/>, or null when it names no CA and no client certificate.</summary>
    public static RedisTls? From(GatewayOptions options) =>
        options.RedisCa is null && options.RedisClientCert is null && options.RedisClientKey is null
            ? null
            : new RedisTls(options.RedisCa, options.RedisClientCert, options.RedisClientKey);

    /// <summary>What is wrong with the files, naming the flag, or null when they can be used.</summary>
    public string? Problem()
    {
        if ((CertificatePath is null) != (KeyPath is null))
        {
            return "--redis-client-cert and --redis-client-key go together: give both or neither";
        }

        if (AuthorityPath is not null && ReadAuthorities(AuthorityPath, out _, out _) is { } authorities)
        {
            return authorities;
        }

        if (CertificatePath is not null)
        {
            var client = ReadClientCertificate(CertificatePath, KeyPath!, out var certificate);
            certificate?.Dispose();
            return client;
        }

        return null;
    }

    /// <summary>
    /// How the connection to <paramref name="host"/> (the host in <c>--redis</c>, or its <c>sslHost</c>) is
    /// authenticated. The server's name is always checked against its certificate. With a CA bundle only those CAs
    /// are trusted, and revocation is not checked: a private CA publishes no revocation list (cert-manager's do not),
    /// so short-lived certificates stand in for it. A file that cannot be read any more fails this connection with an
    /// <see cref="AuthenticationException"/> saying why; the gateway keeps serving from memory meanwhile.
    /// </summary>
    public SslClientAuthenticationOptions Authentication(string host, SslProtocols protocols, bool checkRevocation)
    {
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            EnabledSslProtocols = protocols,
            CertificateRevocationCheckMode = checkRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck,
        };

        if (AuthorityPath is not null)
        {
            if (ReadAuthorities(AuthorityPath, out var roots, out var intermediates) is { } problem)
            {
                throw new AuthenticationException(problem);
            }

            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.ApplicationPolicy.Add(ServerAuthentication);
            policy.CustomTrustStore.AddRange(roots);
            policy.ExtraStore.AddRange(intermediates);
            options.CertificateChainPolicy = policy;
        }

        if (CertificatePath is not null)
        {
            if (ReadClientCertificate(CertificatePath, KeyPath!, out var certificate) is { } problem)
            {
                throw new AuthenticationException(problem);
            }

            options.ClientCertificateContext = SslStreamCertificateContext.Create(certificate!, additionalCertificates: null, offline: true);
        }

        return options;
    }

    /// <summary>
    /// Reads a PEM bundle: its self-signed certificates are the roots trusted, the others intermediates that may
    /// complete a chain to them. Without a root nothing could be trusted (a chain must end at one), so that is refused.
    /// </summary>
    private static string? ReadAuthorities(string path, out X509Certificate2Collection roots, out X509Certificate2Collection intermediates)
    {
        roots = [];
        intermediates = [];
        if (Read(path, "--redis-ca", out var text) is { } unreadable)
        {
            return unreadable;
        }

        if (!text.Contains("-----BEGIN ", StringComparison.Ordinal))
        {
            return $"--redis-ca {path} is not PEM: expected one or more -----BEGIN CERTIFICATE----- blocks";
        }

        var all = new X509Certificate2Collection();
        try
        {
            all.ImportFromPem(text);
        }
        catch (CryptographicException e)
        {
            return $"--redis-ca {path} holds a certificate that cannot be read: {e.Message}";
        }

        if (all.Count == 0)
        {
            return $"--redis-ca {path} holds no certificate (no -----BEGIN CERTIFICATE----- block); it must hold the CA that issued Redis's certificate";
        }

        foreach (var certificate in all)
        {
            (certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData) ? roots : intermediates).Add(certificate);
        }

        return roots.Count == 0
            ? $"--redis-ca {path} holds no root certificate (none is self-signed): add the root CA the chain of Redis's certificate ends at"
            : null;
    }

    private static string? ReadClientCertificate(string certificatePath, string keyPath, out X509Certificate2? certificate)
    {
        certificate = null;
        if (Read(certificatePath, "--redis-client-cert", out var certificateText) is { } noCertificate)
        {
            return noCertificate;
        }

        if (Read(keyPath, "--redis-client-key", out var keyText) is { } noKey)
        {
            return noKey;
        }

        try
        {
            certificate = X509Certificate2.CreateFromPem(certificateText, keyText);
            return null;
        }
        catch (CryptographicException e)
        {
            return $"--redis-client-cert {certificatePath} with --redis-client-key {keyPath} is not a PEM certificate and its unencrypted private key: {e.Message}";
        }
        catch (ArgumentException e)
        {
            return $"--redis-client-cert {certificatePath} with --redis-client-key {keyPath} is not a PEM certificate and its unencrypted private key: {e.Message}";
        }
    }

    private static string? Read(string path, string flag, out string text)
    {
        text = "";
        try
        {
            text = File.ReadAllText(path);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{flag} {path} cannot be read: {e.Message}";
        }
    }
}
