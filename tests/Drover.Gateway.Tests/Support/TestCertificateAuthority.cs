using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Drover.Gateway.Tests.Support;

/// <summary>
/// A private CA made for one test, as cert-manager's would be: a self-signed root that issues a server certificate
/// (for 127.0.0.1 and localhost) and client certificates, each written as PEM files a process can be given.
/// </summary>
internal sealed class TestCertificateAuthority : IDisposable
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");
    private readonly ECDsa _key;

    private TestCertificateAuthority(string name, ECDsa key, X509Certificate2 certificate)
    {
        Name = name;
        _key = key;
        Certificate = certificate;
    }

    public string Name { get; }

    public X509Certificate2 Certificate { get; }

    public static TestCertificateAuthority Create(string name)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return new TestCertificateAuthority(name, key, request.CreateSelfSigned(now.AddHours(-1), now.AddDays(2)));
    }

    /// <summary>Writes the CA's certificate (what a client is told to trust) and returns its path.</summary>
    public string WriteCertificate(string path)
    {
        File.WriteAllText(path, Certificate.ExportCertificatePem());
        return path;
    }

    /// <summary>Issues a server certificate for 127.0.0.1 and localhost; writes it and its key; returns their paths.</summary>
    public (string Certificate, string Key) IssueServer(string directory, string name) =>
        Issue(directory, name, ServerAuthentication, names =>
        {
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
        });

    /// <summary>Issues a client certificate; writes it and its key; returns their paths.</summary>
    public (string Certificate, string Key) IssueClient(string directory, string name) =>
        Issue(directory, name, ClientAuthentication, names => names.AddDnsName(name));

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }

    private (string Certificate, string Key) Issue(string directory, string name, Oid usage, Action<SubjectAlternativeNameBuilder> names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var alternative = new SubjectAlternativeNameBuilder();
        names(alternative);
        request.CertificateExtensions.Add(alternative.Build());
        var now = DateTimeOffset.UtcNow;
        var generator = X509SignatureGenerator.CreateForECDsa(_key);
        using var certificate = request.Create(Certificate.SubjectName, generator, now.AddMinutes(-30), now.AddDays(1), RandomNumberGenerator.GetBytes(16));
        var certificatePath = Path.Combine(directory, name + ".crt");
        var keyPath = Path.Combine(directory, name + ".key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }
}
