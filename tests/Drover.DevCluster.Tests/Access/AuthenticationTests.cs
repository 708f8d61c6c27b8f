using System.Net;
using Drover.DevCluster.Access;

namespace Drover.DevCluster.Tests.Access;

public class AuthenticationTests : AccessTestBase
{
    protected override DevClusterOptions Options => new() { Tokens = Tokens };

    [Fact]
    public async Task An_unknown_token_is_401_and_no_token_is_the_anonymous_user()
    {
        var refused = await AsAsync("stolen", HttpMethod.Get, "/api/v1/namespaces/default/configmaps");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        Assert.Equal(("Unauthorized", "Unauthorized"), (refused.Reason, refused.Message));
        Assert.Equal(HttpStatusCode.Unauthorized, (await AsAsync("stolen", HttpMethod.Get, "/version")).Status);

        Assert.Equal(HttpStatusCode.OK, (await AsAsync(null, HttpMethod.Get, "/api/v1/namespaces/default/configmaps")).Status);
        Assert.Equal(HttpStatusCode.OK, (await AsAsync(AliceToken, HttpMethod.Get, "/api/v1/namespaces/default/configmaps")).Status);

        var entries = Server.RequestLog.Entries().Where(e => e.Resource == "configmaps").ToList();
        Assert.Equal(3, entries.Count);
        Assert.Equal((null, 401), (entries[0].User, entries[0].StatusCode));
        Assert.Equal(DevClusterUser.Anonymous, entries[1].User);
        Assert.Equal([DevClusterUser.Unauthenticated], entries[1].Groups);
        Assert.Equal("alice", entries[2].User);
        Assert.Equal(["devs", DevClusterUser.Authenticated], entries[2].Groups);
    }

    [Fact]
    public async Task Without_rbac_an_authenticated_server_still_serves_everyone()
    {
        Assert.Equal(HttpStatusCode.Created, (await AsAsync(AliceToken, HttpMethod.Post, "/api/v1/namespaces/default/configmaps", ConfigMap("free"))).Status);
        Assert.Equal(HttpStatusCode.OK, (await AsAsync(null, HttpMethod.Delete, "/api/v1/namespaces/default/configmaps/free")).Status);
    }

    [Fact]
    public async Task Rbac_without_tokens_is_refused_at_start()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => DevClusterServer.StartAsync(new DevClusterOptions { AuthorizeWithRbac = true }));
        Assert.Contains("Tokens", error.Message, StringComparison.Ordinal);
    }
}
