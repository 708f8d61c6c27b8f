using System.Net;
using Drover.Api.V1Alpha1;
using Drover.Gateway.Admission;
using Drover.Gateway.Hosting;
using Drover.Gateway.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Drover.Gateway.Tests.Proxy;

/// <summary>
/// A gateway whose Redis (real redis-server, TLS from a private CA, a password) refuses it, set up from flags as an
/// operator would get it wrong: at start, before any call, <c>drover_gateway_redis_up</c> says 0 and one log line says
/// why Redis is out (the password, a certificate, the transport) and what to fix, not that it timed out; and the gateway
/// keeps serving, on its replica's share.
/// </summary>
[Collection(RedisServer.Collection)]
public sealed class RedisRefusalTests(ITestOutputHelper output) : IAsyncLifetime
{
    private RedisGatewayRig _rig = null!;

    public async Task InitializeAsync() => _rig = await RedisGatewayRig.StartAsync(output);

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    /// <summary>
    /// The Redis of each mistake (TLS from a private CA with a password, or also asking for client certificates) and
    /// the gateway's flags and password; everything not named is as <see cref="RedisServer.GatewayFlags"/> has it.
    /// </summary>
    private async Task<(List<string> Flags, string Password)> MistakeAsync(string mistake)
    {
        var redis = await _rig.StartRedisAsync(mistake == "no client certificate where Redis asks for one" ? RedisSecurity.MutualTlsWithPassword : RedisSecurity.TlsWithPassword);
        var password = redis.Security.Password!;
        switch (mistake)
        {
            case "a wrong password":
                return ([.. redis.GatewayFlags], "not-the-password");
            case "no password":
                return ([.. redis.GatewayFlags], "");
            case "TLS trusting only the system's store":
                return (["--redis", redis.Address + ",ssl=true"], password);
            case "a CA that did not issue Redis's certificate":
                using (var other = TestCertificateAuthority.Create("some-other-ca"))
                {
                    return (["--redis", redis.Address, "--redis-ca", other.WriteCertificate(Path.Combine(_rig.Directory, "other-ca.crt"))], password);
                }

            case "a name Redis's certificate does not carry":
                return (["--redis", redis.Address + ",sslHost=redis.elsewhere.example", "--redis-ca", redis.CaPath!], password);
            case "no client certificate where Redis asks for one":
                return (["--redis", redis.Address, "--redis-ca", redis.CaPath!], password);
            case "plain TCP to a TLS port":
                return (["--redis", redis.Address], password);
            default:
                throw new ArgumentOutOfRangeException(nameof(mistake), mistake, null);
        }
    }

    /// <param name="mistake">What the operator got wrong.</param>
    /// <param name="said">What the log line says, in parts separated by |.</param>
    [Theory]
    [InlineData("a wrong password", "authentication failed: Redis at {redis} refused the password (DROVER_GATEWAY_REDIS_PASSWORD): WRONGPASS")]
    [InlineData("no password", "authentication failed: Redis at {redis} asks for a password and none is set (DROVER_GATEWAY_REDIS_PASSWORD): NOAUTH")]
    [InlineData("TLS trusting only the system's store", "the TLS handshake with Redis at {redis} failed: The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot|(Redis's certificate is not issued by a CA this gateway trusts: give that CA's bundle with --redis-ca")]
    [InlineData("a CA that did not issue Redis's certificate", "(Redis's certificate is not issued by a CA this gateway trusts: give that CA's bundle with --redis-ca")]
    [InlineData("a name Redis's certificate does not carry", "RemoteCertificateNameMismatch (Redis's certificate does not name the host in --redis")]
    [InlineData("no client certificate where Redis asks for one", "Redis at {redis} closed the connection after the TLS handshake: it may ask for a client certificate")]
    [InlineData("plain TCP to a TLS port", "Redis at {redis} closed the connection without answering: if it serves TLS only, add ssl=true or --redis-ca")]
    public async Task A_redis_that_refuses_the_gateway_is_named_with_the_reason_and_the_gateway_serves_its_replicas_share(string mistake, string said)
    {
        var (flags, password) = await MistakeAsync(mistake);
        var variables = new Dictionary<string, string>(StringComparer.Ordinal) { [RedisConnection.PasswordVariable] = password };
        var options = GatewayOptions.Parse([.. flags, "--replicas", "2"], variables.GetValueOrDefault, out var error, out _);
        Assert.True(options is not null, error);
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(new TestOutputLoggerProvider(output, _rig.StateLogs)));
        var state = GatewayCommand.AdmissionState(options, variables.GetValueOrDefault, TimeProvider.System, loggers);
        var gateway = await _rig.StartGatewayAsync(state);

        // Said at start, before any call: the log line, and the metric an alert would watch.
        static bool FellBack((string, string Message) line) => line.Message.StartsWith("Redis unreachable, admitting from this replica's memory", StringComparison.Ordinal);
        await Eventually.TrueAsync(() => Task.FromResult(_rig.StateLogs.Any(FellBack)), "the gateway to say why it cannot use Redis");
        var metrics = await RedisGatewayRig.Http.GetStringAsync(new Uri(gateway.MetricsAddress, "/metrics"));
        Assert.Contains("drover_gateway_redis_up 0", metrics, StringComparison.Ordinal);
        _rig.Cluster.Provider("openai", ProviderTypes.OpenAI, new Uri(_rig.Upstream.BaseAddress, "/v1"), "sk-provider");
        var key = _rig.Cluster.KeyFor(_rig.Cluster.Agent("busy", [("openai", "gpt-4o-mini")], new Budget { TokensPerDay = 1000 }));
        for (var i = 0; i < 2; i++)
        {
            _rig.Upstream.Next("/v1/chat/completions", async (context, request) =>
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync($$$"""{"id":"c","object":"chat.completion","created":1,"model":"{{{request.Model}}}","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":100,"completion_tokens":200,"total_tokens":300}}""");
            });
        }

        // 300 tokens a call against 1000 a day: shared, a third and a fourth call would be let in; alone, this replica
        // has half the budget (500), so the third is refused.
        var outcomes = new List<(HttpStatusCode Status, string Body)>();
        for (var i = 0; i < 3; i++)
        {
            outcomes.Add(await RedisGatewayRig.ChatAsync(gateway, key, maxTokens: 200));
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], outcomes.Select(o => o.Status));
        Assert.Contains("budget_exhausted", outcomes[2].Body, StringComparison.Ordinal);
        Assert.False(((SharedAdmissionState)state).Shared);
        var line = Assert.Single(_rig.StateLogs, FellBack).Item2;
        foreach (var part in said.Replace("{redis}", _rig.Redis.Address, StringComparison.Ordinal).Split('|'))
        {
            Assert.Contains(part, line, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("timeout", line, StringComparison.OrdinalIgnoreCase);
    }
}
