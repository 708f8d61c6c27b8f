using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Drover.Api.V1Alpha1;
using Drover.Gateway.Admission;
using Drover.Gateway.Tests.Support;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace Drover.Gateway.Tests.Proxy;

/// <summary>
/// Two gateway replicas behind one "Service" (the test picks a ready replica per call, as endpoints do), sharing one
/// real redis-server, each connected as the gateway connects from its flags: the budgets and limits hold across them,
/// over plain TCP as over TLS from a private CA with a password (and client certificates), a Redis outage keeps calls
/// flowing and its counts reconcile, and a rolling restart under steady load fails no call.
/// </summary>
[Collection(RedisServer.Collection)]
public sealed class ReplicaTests(ITestOutputHelper output) : IAsyncLifetime
{
    private RedisGatewayRig _rig = null!;

    public async Task InitializeAsync() => _rig = await RedisGatewayRig.StartAsync(output);

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    private async Task StartRedisAsync(RedisSecurity? security = null) => await _rig.StartRedisAsync(security);

    /// <summary>The security of the budget test's Redis, by name (xunit shows the name).</summary>
    private static RedisSecurity Security(string transport) => transport switch
    {
        "tcp" => RedisSecurity.None,
        "tls with a password, trusting its CA" => RedisSecurity.TlsWithPassword,
        "tls with a password and a client certificate" => RedisSecurity.MutualTlsWithPassword,
        _ => throw new ArgumentOutOfRangeException(nameof(transport), transport, null),
    };

    private async Task<GatewayHarness> ReplicaAsync(Func<Drover.Gateway.Hosting.GatewayOptions, Drover.Gateway.Hosting.GatewayOptions>? configure = null)
    {
        var redis = _rig.Redis.Options();
        var state = new SharedAdmissionState(
            new RedisAdmissionState(StackExchange.Redis.ConnectionMultiplexer.Connect(redis), TimeProvider.System, TimeSpan.FromSeconds(30), ownsConnection: true),
            replicas: 2,
            TimeProvider.System,
            probe: TimeSpan.FromMilliseconds(100),
            _rig.StateLogger().CreateLogger("Drover.Gateway.Redis"),
            new RedisDiagnosis(redis));
        return await _rig.StartGatewayAsync(state, configure);
    }

    private static Task<(HttpStatusCode Status, string Body)> ChatAsync(GatewayHarness replica, string key, bool stream = false, int? maxTokens = null, CancellationToken cancellationToken = default) =>
        RedisGatewayRig.ChatAsync(replica, key, stream, maxTokens, cancellationToken);

    private static long TotalTokens(string body) => JsonNode.Parse(body)!["usage"]!["total_tokens"]!.GetValue<long>();

    [Theory]
    [InlineData("tcp")]
    [InlineData("tls with a password, trusting its CA")]
    [InlineData("tls with a password and a client certificate")]
    public async Task Fifty_callers_over_two_replicas_overshoot_a_shared_budget_and_requests_per_minute_no_more_than_one_replica_would(string transport)
    {
        await StartRedisAsync(Security(transport));
        var (a, b) = (await ReplicaAsync(), await ReplicaAsync());
        _rig.Cluster.Provider("openai", ProviderTypes.OpenAI, new Uri(_rig.Upstream.BaseAddress, "/v1"), "sk-provider");
        _rig.Cluster.Provider("limited", ProviderTypes.OpenAI, new Uri(_rig.Upstream.BaseAddress, "/limited/v1"), "sk-limited", configure: s => s.Limits = new ProviderLimits { RequestsPerMinute = 10 });
        var busy = _rig.Cluster.Agent("busy", [("openai", "gpt-4o-mini")], new Budget { TokensPerDay = 1000 });
        var chatty = _rig.Cluster.Agent("chatty", [("limited", "gpt-4o-mini")]);
        var (busyKey, chattyKey) = (_rig.Cluster.KeyFor(busy), _rig.Cluster.KeyFor(chatty));
        var bucket = new BucketKey("team-a", "busy", null);
        var window = BudgetDays.Window(bucket, busy.Spec.Budget, DateTimeOffset.UtcNow);
        await a.State.RestoreAsync(bucket, window.Start, new WindowUsage(new TokenCounts(400, 500, 0, 0), 20, 0, 0m, []), CancellationToken.None);

        // Every admitted call is held upstream until all 50 are decided, so they are truly in flight together.
        const int Callers = 50;
        var decided = 0;
        var allDecided = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Decided()
        {
            if (Interlocked.Increment(ref decided) == Callers)
            {
                allDecided.TrySetResult();
            }
        }

        for (var i = 0; i < Callers; i++)
        {
            _rig.Upstream.Next("/v1/chat/completions", async (context, request) =>
            {
                Decided();
                await allDecided.Task.WaitAsync(TimeSpan.FromSeconds(30));
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync($$$"""{"id":"c","object":"chat.completion","created":1,"model":"{{{request.Model}}}","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"length"}],"usage":{"prompt_tokens":10,"completion_tokens":40,"total_tokens":50}}""");
            });
        }

        var budgetCalls = Enumerable.Range(0, Callers).Select(async i =>
        {
            var (status, _) = await ChatAsync(i % 2 == 0 ? a : b, busyKey, maxTokens: 40);
            if (status == HttpStatusCode.TooManyRequests)
            {
                Decided();
            }

            return status;
        });
        var rateCalls = Enumerable.Range(0, Callers).Select(async i => (await ChatAsync(i % 2 == 0 ? a : b, chattyKey)).Status);
        var budgetOutcomes = await Task.WhenAll(budgetCalls);
        var rateOutcomes = await Task.WhenAll(rateCalls);

        // The same bounds as one replica's (see BudgetTests): at most one reservation (40 out + under 100 in) over.
        var usage = await b.State.ReadAsync(bucket, window.Start, CancellationToken.None);
        var admitted = budgetOutcomes.Count(s => s == HttpStatusCode.OK);
        Assert.All(budgetOutcomes, s => Assert.Contains(s, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        Assert.InRange(usage.Tokens.Total, 1000, 1000 + 40 + 100);
        Assert.InRange(admitted, 1, 3);
        Assert.Equal(20 + admitted, usage.Requests);

        // Ten a minute, shared: ten calls reach the provider (an eleventh if a sixth of the minute passed meanwhile).
        Assert.All(rateOutcomes, s => Assert.Contains(s, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        var reached = _rig.Upstream.To("/limited/v1/chat/completions").Count;
        Assert.InRange(reached, 10, 11);
        Assert.Equal(reached, rateOutcomes.Count(s => s == HttpStatusCode.OK));

        // And every decision was Redis's: neither replica fell back to its own share on the way.
        Assert.True(((SharedAdmissionState)a.State).Shared && ((SharedAdmissionState)b.State).Shared, $"a replica could not use Redis over {transport}: {string.Join("; ", _rig.StateLogs.Select(l => l.Item2))}");
        Assert.DoesNotContain(_rig.StateLogs, l => l.Item2.StartsWith("Redis unreachable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Killing_redis_mid_run_keeps_calls_flowing_and_when_it_returns_every_call_is_counted_once()
    {
        await StartRedisAsync();
        var (a, b) = (await ReplicaAsync(), await ReplicaAsync());
        _rig.Cluster.Provider("openai", ProviderTypes.OpenAI, new Uri(_rig.Upstream.BaseAddress, "/v1"), "sk-provider");
        var agent = _rig.Cluster.Agent("steady", [("openai", "gpt-4o-mini")], new Budget { TokensPerDay = 10_000_000 });
        var key = _rig.Cluster.KeyFor(agent);
        var bucket = new BucketKey("team-a", "steady", null);
        var window = BudgetDays.Window(bucket, agent.Spec.Budget, DateTimeOffset.UtcNow);
        var (calls, tokens) = (0, 0L);
        async Task RunAsync(int count)
        {
            var outcomes = await Task.WhenAll(Enumerable.Range(0, count).Select(i => ChatAsync(i % 2 == 0 ? a : b, key)));
            Assert.All(outcomes, o => Assert.Equal(HttpStatusCode.OK, o.Status));
            calls += count;
            tokens += outcomes.Sum(o => TotalTokens(o.Body));
        }

        await RunAsync(10);
        await _rig.Redis.KillAsync();
        await RunAsync(20);

        var (sharedA, sharedB) = ((SharedAdmissionState)a.State, (SharedAdmissionState)b.State);
        Assert.False(sharedA.Shared || sharedB.Shared);
        await Eventually.TrueAsync(
            () => Task.FromResult(_rig.StateLogs.Count(l => l.Item2.StartsWith("Redis unreachable, admitting from this replica's memory", StringComparison.Ordinal)) == 2),
            "each replica to say it fell back");
        Assert.All(
            _rig.StateLogs.Where(l => l.Item2.StartsWith("Redis unreachable", StringComparison.Ordinal)),
            l => Assert.EndsWith($"charges are queued for Redis: Redis at {_rig.Redis.Address} cannot be reached: Connection refused", l.Item2, StringComparison.Ordinal));
        var metrics = await RedisGatewayRig.Http.GetStringAsync(new Uri(a.MetricsAddress, "/metrics"));
        Assert.Contains("drover_gateway_redis_up 0", metrics, StringComparison.Ordinal);
        Assert.Contains("drover_gateway_redis_pending_charges ", metrics, StringComparison.Ordinal);

        await _rig.Redis.RestartAsync();
        await Eventually.TrueAsync(() => Task.FromResult(sharedA.Shared && sharedB.Shared && sharedA.PendingCharges == 0 && sharedB.PendingCharges == 0), "both replicas to reconcile with Redis");
        await RunAsync(10);

        using var direct = _rig.Redis.Connect();
        var counted = await new RedisAdmissionState(direct, TimeProvider.System, TimeSpan.FromSeconds(30)).ReadAsync(bucket, window.Start, CancellationToken.None);
        Assert.Equal((calls, tokens), ((int)counted.Requests, counted.Tokens.Total));
        Assert.Equal(40, calls);
        Assert.Contains(_rig.StateLogs, l => l.Item2.StartsWith("Redis reachable again; reconciled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rolling_restart_of_two_replicas_under_steady_load_fails_no_call_but_the_stream_cut_at_the_deadline()
    {
        await StartRedisAsync();
        static Drover.Gateway.Hosting.GatewayOptions Draining(Drover.Gateway.Hosting.GatewayOptions o) =>
            o with { ShutdownDelay = TimeSpan.FromMilliseconds(600), DrainTimeout = TimeSpan.FromMilliseconds(1500) };
        var replicas = new List<GatewayHarness> { await ReplicaAsync(Draining), await ReplicaAsync(Draining) };
        _rig.Cluster.Provider("openai", ProviderTypes.OpenAI, new Uri(_rig.Upstream.BaseAddress, "/v1"), "sk-provider");
        _rig.Cluster.Provider("slow", ProviderTypes.OpenAI, new Uri(_rig.Upstream.BaseAddress, "/slow/v1"), "sk-slow");
        var key = _rig.Cluster.KeyFor(_rig.Cluster.Agent("steady", [("openai", "gpt-4o-mini")]));
        var slowKey = _rig.Cluster.KeyFor(_rig.Cluster.Agent("slow", [("slow", "gpt-4o-mini")]));

        // Endpoints: the replicas whose /readyz answered 200 at the last look, every 50 ms.
        var ready = new ConcurrentDictionary<GatewayHarness, bool>();
        using var stop = new CancellationTokenSource();
        var watching = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var replica in replicas.ToList())
                {
                    bool up;
                    try
                    {
                        using var probe = await RedisGatewayRig.Http.GetAsync(new Uri(replica.HealthAddress, "/readyz"), stop.Token);
                        up = probe.IsSuccessStatusCode;
                    }
                    catch (HttpRequestException)
                    {
                        up = false;
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        // The run is over; this probe's answer no longer matters.
                        break;
                    }

                    ready[replica] = up;
                }

                await Task.Delay(50, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        });

        // A stream that outlives the drain deadline of the first replica: the one call allowed to fail, and counted.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _rig.Upstream.Next("/slow/v1/chat/completions", (context, request) => ScriptedUpstream.StreamAsync(context, "openai/chat-stream.sse", request.Model, gate.Task, firstSent));
        var first = replicas[0];
        var longStream = Task.Run(async () =>
        {
            try
            {
                return (await ChatAsync(first, slowKey, stream: true)).Body;
            }
            catch (HttpRequestException e)
            {
                return "cut: " + e.Message;
            }
            catch (IOException e)
            {
                return "cut: " + e.Message;
            }
        });
        await firstSent.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // Load starts once the endpoints list both replicas, as a Service's would before it sends them calls.
        await Eventually.TrueAsync(() => Task.FromResult(ready.Count(r => r.Value) == 2), "both replicas to be listed ready");
        var failures = new ConcurrentQueue<string>();
        var served = new ConcurrentDictionary<GatewayHarness, int>();
        var next = 0;
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var candidates = ready.Where(r => r.Value).Select(r => r.Key).ToList();
                if (candidates.Count == 0)
                {
                    failures.Enqueue("no replica was ready");
                    await Task.Delay(50);
                    continue;
                }

                var replica = candidates[Interlocked.Increment(ref next) % candidates.Count];
                try
                {
                    var (status, body) = await ChatAsync(replica, key, stream: true);
                    if (status != HttpStatusCode.OK || !body.Contains("data: [DONE]", StringComparison.Ordinal))
                    {
                        failures.Enqueue($"{status}: {body}");
                    }
                    else
                    {
                        served.AddOrUpdate(replica, 1, (_, n) => n + 1);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or IOException)
                {
                    failures.Enqueue(e.Message);
                }
            }
        })).ToList();

        try
        {
            await Eventually.TrueAsync(() => Task.FromResult(served.Count == 2 && served.Values.All(n => n >= 5)), "both replicas to serve calls");
            foreach (var old in replicas.ToList())
            {
                await old.StopAsync();
                var replacement = await ReplicaAsync(Draining);
                replicas.Add(replacement);
                replicas.Remove(old);
                ready.TryRemove(old, out _);
                await Eventually.TrueAsync(() => Task.FromResult(served.GetValueOrDefault(replacement) >= 5), "the replacement to serve calls");
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(load);
            await watching;
            gate.TrySetResult();
        }

        Assert.Empty(failures);
        Assert.Equal(4, served.Count);
        var cut = await longStream;
        Assert.DoesNotContain("data: [DONE]", cut, StringComparison.Ordinal);
        Assert.Equal((1, 0), (first.Drain.Cut, _rig.Gateways[1].Drain.Cut));
        output.WriteLine($"calls served per replica: {string.Join(", ", served.Values)}; cut at the deadline: {first.Drain.Cut}");
    }
}
