using System.Collections.Concurrent;
using Drover.Gateway.Admission;
using Drover.Gateway.Configuration;
using Drover.Gateway.Hosting;
using Drover.Gateway.Proxy;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Drover.Gateway.Tests.Support;

/// <summary>Charges and budget refusals as the proxy reported them.</summary>
internal sealed class RecordingObserver : IUsageObserver
{
    public ConcurrentQueue<BudgetCrossing> Crossings { get; } = new();

    public ConcurrentQueue<BudgetWindow> Refusals { get; } = new();

    public int Charges => _charges;

    private int _charges;

    public void Charged(Caller caller, IReadOnlyList<BudgetWindow> windows, IReadOnlyList<BudgetCrossing> crossings)
    {
        Interlocked.Increment(ref _charges);
        foreach (var crossing in crossings)
        {
            Crossings.Enqueue(crossing);
        }
    }

    public void Refused(Caller caller, BudgetWindow window, WindowUsage spent) => Refusals.Enqueue(window);
}

/// <summary>A gateway on loopback serving a <see cref="TestCluster"/>, with a scripted upstream to point providers at.</summary>
internal sealed class GatewayHarness : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsUpstream;
    private ConcurrentQueue<(string, string)>? _logs;
    private bool _stopped;

    /// <summary>Log lines written since start, drained into <see cref="Logs"/>.</summary>
    public IReadOnlyList<(string Category, string Message)> LogLines
    {
        get
        {
            while (_logs is not null && _logs.TryDequeue(out var line))
            {
                Logs.Enqueue(line);
            }

            return [.. Logs];
        }
    }

    private GatewayHarness(WebApplication app, TestCluster cluster, IAdmissionState state, RecordingObserver observer, ScriptedUpstream upstream, bool ownsUpstream)
    {
        _app = app;
        _ownsUpstream = ownsUpstream;
        Cluster = cluster;
        State = state;
        Observer = observer;
        Upstream = upstream;
        var listeners = app.Services.GetRequiredService<GatewayApplication.GatewayListeners>();
        BaseAddress = new Uri($"http://127.0.0.1:{listeners.ApiPort}");
        MetricsAddress = new Uri($"http://127.0.0.1:{listeners.MetricsPort}");
        HealthAddress = new Uri($"http://127.0.0.1:{listeners.HealthPort}");
        Drain = app.Services.GetRequiredService<GracefulDrain>();
    }

    public Uri HealthAddress { get; }

    public GracefulDrain Drain { get; }

    public TestCluster Cluster { get; }

    public IAdmissionState State { get; }

    public RecordingObserver Observer { get; }

    public ScriptedUpstream Upstream { get; }

    /// <summary>The gateway as agents reach it (ANTHROPIC_BASE_URL); OpenAI SDKs take <see cref="OpenAIEndpoint"/>.</summary>
    public Uri BaseAddress { get; }

    public Uri OpenAIEndpoint => new(BaseAddress, "/v1");

    public Uri MetricsAddress { get; }

    /// <summary>Every log line the gateway wrote, formatted.</summary>
    public ConcurrentQueue<(string Category, string Message)> Logs { get; } = new();

    /// <summary>The configuration the host built, for what it watches.</summary>
    public IConfiguration Configuration => _app.Configuration;

    /// <param name="output">Where the gateway's logs go.</param>
    /// <param name="time">The admission clock.</param>
    /// <param name="configure">Changes to the options.</param>
    /// <param name="state">Admission state (in memory when null); disposed with the gateway.</param>
    /// <param name="cluster">A cluster shared with another gateway (a replica), else a new one.</param>
    /// <param name="upstream">An upstream shared with another gateway, not disposed with this one; else a new one.</param>
    public static async Task<GatewayHarness> StartAsync(
        ITestOutputHelper output,
        TimeProvider? time = null,
        Func<GatewayOptions, GatewayOptions>? configure = null,
        IAdmissionState? state = null,
        TestCluster? cluster = null,
        ScriptedUpstream? upstream = null)
    {
        var clock = time ?? TimeProvider.System;
        var ownsUpstream = upstream is null;
        upstream ??= await ScriptedUpstream.StartAsync();
        if (cluster is null)
        {
            cluster = new TestCluster();
            cluster.Namespace("team-a");
            cluster.Namespace("team-b");
        }

        state ??= new InMemoryAdmissionState(clock);
        var observer = new RecordingObserver();
        var options = new GatewayOptions
        {
            Listen = "127.0.0.1:0",
            MetricsAddress = "127.0.0.1:0",
            HealthAddress = "127.0.0.1:0",
            LogFormat = "text",
            LimitWait = TimeSpan.FromMilliseconds(200),
            FirstByteTimeout = TimeSpan.FromSeconds(10),
            ShutdownDelay = TimeSpan.Zero,
            DrainTimeout = TimeSpan.FromSeconds(10),
        };
        options = configure?.Invoke(options) ?? options;
        var logs = new ConcurrentQueue<(string, string)>();
        var app = GatewayApplication.Build(
            options,
            _ => new GatewayServices(cluster, state, observer, clock),
            _ => null,
            logging => logging.AddProvider(new TestOutputLoggerProvider(output, logs)));
        await app.StartAsync();
        var harness = new GatewayHarness(app, cluster, state, observer, upstream, ownsUpstream);
        while (logs.TryDequeue(out var line))
        {
            harness.Logs.Enqueue(line);
        }

        harness._logs = logs;
        return harness;
    }

    /// <summary>Stops the gateway as SIGTERM does: unready, the shutdown delay, then the drain.</summary>
    public async Task StopAsync()
    {
        _stopped = true;
        await _app.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            await _app.StopAsync();
        }

        await _app.DisposeAsync();
        if (_ownsUpstream)
        {
            await Upstream.DisposeAsync();
        }
    }
}

/// <summary>Sends the gateway's logs to the test's output, so a failure shows what the gateway said.</summary>
internal sealed class TestOutputLoggerProvider(ITestOutputHelper output, ConcurrentQueue<(string, string)>? capture = null) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(output, categoryName, capture);

    public void Dispose()
    {
    }

    private sealed class Logger(ITestOutputHelper output, string category, ConcurrentQueue<(string, string)>? capture) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            capture?.Enqueue((category, message));
            try
            {
                output.WriteLine($"{logLevel} {category}: {message}{(exception is null ? "" : " " + exception)}");
            }
            catch (InvalidOperationException)
            {
                // The test has finished; its output is closed.
            }
        }
    }
}
