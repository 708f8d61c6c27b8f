using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Drover.Gateway.Admission;
using Drover.Gateway.Hosting;
using Xunit.Abstractions;

namespace Drover.Gateway.Tests.Support;

/// <summary>
/// What the Redis stories share: one upstream, one cluster with the namespace team-a, the redis-server a story starts
/// with the security it needs, the gateways it starts against them, and what their admission state logs. Disposed
/// gateways first, then the upstream, then Redis and the rig's directory, whatever failed before.
/// </summary>
internal sealed class RedisGatewayRig : IAsyncDisposable
{
    private readonly ITestOutputHelper _output;
    private RedisServer? _redis;

    private RedisGatewayRig(ITestOutputHelper output, ScriptedUpstream upstream)
    {
        _output = output;
        Upstream = upstream;
        Cluster.Namespace("team-a");
    }

    /// <summary>The client the stories call gateways with: one minute per call, for the slow streams.</summary>
    public static HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public ScriptedUpstream Upstream { get; }

    public TestCluster Cluster { get; } = new();

    /// <summary>The gateways started, in order.</summary>
    public List<GatewayHarness> Gateways { get; } = [];

    /// <summary>What the admission state (Redis or its fallback) logged, for the lines that say why Redis is out.</summary>
    public ConcurrentQueue<(string Category, string Message)> StateLogs { get; } = new();

    /// <summary>A directory for files a story writes (certificates), deleted with the rig.</summary>
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("drover-redis-").FullName;

    public RedisServer Redis => _redis ?? throw new InvalidOperationException("No redis-server was started.");

    public static async Task<RedisGatewayRig> StartAsync(ITestOutputHelper output) => new(output, await ScriptedUpstream.StartAsync());

    public async Task<RedisServer> StartRedisAsync(RedisSecurity? security = null) => _redis = await RedisServer.StartAsync(security);

    /// <summary>A gateway on the rig's cluster and upstream with <paramref name="state"/>, which it disposes.</summary>
    public async Task<GatewayHarness> StartGatewayAsync(IAdmissionState state, Func<GatewayOptions, GatewayOptions>? configure = null)
    {
        var gateway = await GatewayHarness.StartAsync(_output, configure: configure, state: state, cluster: Cluster, upstream: Upstream);
        Gateways.Add(gateway);
        return gateway;
    }

    /// <summary>A logger whose lines land in <see cref="StateLogs"/> (and the test output).</summary>
    public TestOutputLoggerProvider StateLogger() => new(_output, StateLogs);

    /// <summary>One chat completion through <paramref name="gateway"/> as an agent with <paramref name="key"/> sends it.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> ChatAsync(GatewayHarness gateway, string key, bool stream = false, int? maxTokens = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        var body = new JsonObject { ["model"] = "gpt-4o-mini", ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }) };
        if (stream)
        {
            body["stream"] = true;
        }

        if (maxTokens is { } max)
        {
            body["max_completion_tokens"] = max;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.BaseAddress, "/v1/chat/completions"))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var gateway in Gateways)
            {
                await gateway.DisposeAsync();
            }

            await Upstream.DisposeAsync();
        }
        finally
        {
            if (_redis is not null)
            {
                await _redis.DisposeAsync();
            }

            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
