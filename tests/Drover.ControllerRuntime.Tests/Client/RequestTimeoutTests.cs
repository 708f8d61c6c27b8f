using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Tests.DevCluster;
using k8s.Models;

namespace Drover.ControllerRuntime.Tests.Client;

/// <summary>
/// Every request has a deadline: a server that accepts the connection and never answers fails the call once the
/// deadline passes on the client's clock, instead of holding a worker forever.
/// </summary>
public sealed class RequestTimeoutTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly ResourceKind<V1ConfigMap> ConfigMaps =
        new(string.Empty, "v1", "configmaps", "ConfigMap", namespaced: true, ConfigMapJsonContext.Default.V1ConfigMap);

    private readonly SteppingTimeProvider _time = new();
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private SilentServer? _server;

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_request_the_server_never_answers_fails_with_a_timeout_at_its_deadline()
    {
        var client = Client(new SilentServer(), TimeSpan.FromSeconds(30));
        var get = client.GetAsync(ConfigMaps, "default", "settings", CancellationToken.None);
        await Poll.UntilAsync(() => !_server!.Requests.IsEmpty, Patience, "the request to reach the server");

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(get.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<KubeApiException>(() => get.WaitAsync(Patience));
        Assert.True(error.IsTimeout);
        Assert.Contains("GET /api/v1/namespaces/default/configmaps/settings timed out", error.Message, StringComparison.Ordinal);
        Assert.Contains("30s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_and_lists_have_the_same_deadline()
    {
        var client = Client(new SilentServer(), TimeSpan.FromSeconds(5));
        var list = client.ListAsync(ConfigMaps, "default", null, CancellationToken.None);
        var create = client.CreateAsync(ConfigMaps, new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "x", NamespaceProperty = "default" } }, CancellationToken.None);
        await Poll.UntilAsync(() => _server!.Requests.Count == 2, Patience, "both requests to reach the server");

        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.True((await Assert.ThrowsAsync<KubeApiException>(() => list.WaitAsync(Patience))).IsTimeout);
        Assert.True((await Assert.ThrowsAsync<KubeApiException>(() => create.WaitAsync(Patience))).IsTimeout);
    }

    [Fact]
    public async Task A_watch_that_gets_no_response_headers_fails_at_the_request_deadline()
    {
        var client = Client(new SilentServer(), TimeSpan.FromSeconds(30));
        var watch = ReadAllAsync(client, serverTimeout: TimeSpan.FromMinutes(5));
        await Poll.UntilAsync(() => !_server!.Requests.IsEmpty, Patience, "the watch to reach the server");

        _time.Advance(TimeSpan.FromSeconds(30));

        var error = await Assert.ThrowsAsync<KubeApiException>(() => watch.WaitAsync(Patience));
        Assert.True(error.IsTimeout);
        Assert.Contains("sent no response headers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_watch_stream_the_server_never_ends_is_cut_after_its_timeoutSeconds_and_the_grace()
    {
        var client = Client(new SilentServer("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"), TimeSpan.FromSeconds(30));
        var connected = new TaskCompletionSource();
        var watch = ReadAllAsync(client, serverTimeout: TimeSpan.FromMinutes(5), () => connected.TrySetResult());
        await connected.Task.WaitAsync(Patience);
        Assert.Contains("timeoutSeconds=300", Assert.Single(_server!.Requests), StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.False(watch.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(30));

        var error = await Assert.ThrowsAsync<KubeApiException>(() => watch.WaitAsync(Patience));
        Assert.True(error.IsTimeout);
        Assert.Contains("did not end the watch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_caller_that_gives_up_sees_a_cancellation_not_a_timeout()
    {
        var client = Client(new SilentServer(), TimeSpan.FromSeconds(30));
        using var giveUp = new CancellationTokenSource();
        var get = client.GetAsync(ConfigMaps, "default", "settings", giveUp.Token);
        await Poll.UntilAsync(() => !_server!.Requests.IsEmpty, Patience, "the request to reach the server");

        await giveUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => get.WaitAsync(Patience));
    }

    [Fact]
    public void A_timeout_that_is_not_positive_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new KubeApiClient(_http, new Uri("http://api/"), options: new KubeApiClientOptions { RequestTimeout = TimeSpan.Zero }));
        Assert.Contains("must be positive", error.Message, StringComparison.Ordinal);
    }

    private KubeApiClient Client(SilentServer server, TimeSpan timeout)
    {
        _server = server;
        return new KubeApiClient(_http, server.Address, options: new KubeApiClientOptions { RequestTimeout = timeout }, time: _time);
    }

    private static async Task ReadAllAsync(KubeApiClient client, TimeSpan serverTimeout, Action? onConnected = null)
    {
        await foreach (var _ in client.WatchAsync(ConfigMaps, "default", "1", null, serverTimeout, onConnected, CancellationToken.None))
        {
        }
    }
}
