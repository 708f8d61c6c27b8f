using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s.Exceptions;

namespace Drover.ControllerRuntime.Client;

/// <summary>Reads the PEM certificates and keys a kubeconfig or a service account holds, with errors that name where they came from.</summary>
internal static class Certificates
{
    public static X509Certificate2Collection ReadAuthorities(string pem, string source)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw new KubeConfigException($"unable to read {source}: {e.Message}", e);
        }

        return collection.Count > 0 ? collection : throw new KubeConfigException($"unable to read {source}: it holds no PEM certificate");
    }

    public static X509Certificate2 ReadClientCertificate(string certificatePem, string keyPem, string source)
    {
        try
        {
            return X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (CryptographicException e)
        {
            throw new KubeConfigException($"unable to read the client certificate and key of {source}: {e.Message}", e);
        }
    }
}
