using Drover.DevCluster.Access;
using k8s;
using k8s.Autorest;

namespace Drover.DevCluster.Tests.Access;

/// <summary>The C# client against a TLS dev cluster through the kubeconfig it writes: CA, server name and token all work.</summary>
public class TlsClientTests : AccessTestBase
{
    protected override DevClusterOptions Options => new() { Tokens = Tokens, AuthorizeWithRbac = true, Tls = true };

    private Kubernetes Client(string token)
    {
        var path = Path.Combine(Path.GetTempPath(), $"drover-kc-{Guid.NewGuid():N}");
        try
        {
            Server.WriteKubeconfig(path, token);
            return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task The_kubeconfig_carries_the_servers_certificate_and_the_token()
    {
        Assert.Equal("https", Server.BaseAddress.Scheme);
        using var admin = Client(AdminToken);
        Assert.Contains((await admin.CoreV1.ListNamespaceAsync()).Items, ns => ns.Metadata.Name == "default");

        using var alice = Client(AliceToken);
        var denied = await Assert.ThrowsAsync<HttpOperationException>(() => alice.CoreV1.ListNamespaceAsync());
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, denied.Response.StatusCode);
        Assert.Contains(Server.RequestLog.Entries(), e => e is { User: "alice", Resource: "namespaces", Verb: "list", StatusCode: 403 });
        Assert.Contains(Server.RequestLog.Entries(), e => e.User == DevClusterUser.Admin().Name && e.Groups.Contains(DevClusterUser.Masters));
    }
}
