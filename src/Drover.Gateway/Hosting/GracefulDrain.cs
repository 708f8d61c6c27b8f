using System.Collections.Concurrent;
using Drover.Gateway.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Drover.Gateway.Hosting;

/// <summary>
/// How the gateway stops (SIGTERM, or the host stopping): /readyz turns false at once while the model API keeps serving
/// for the shutdown delay, so the Service's endpoints stop sending it calls before it stops accepting them; then the
/// server stops accepting and in-flight requests (streams, mostly) get the drain timeout to finish. Those still running
/// at that deadline are cut, counted in <c>drover_gateway_drain_cut_requests_total</c> and logged. The host's own
/// shutdown timeout is set above both, so nothing is cut before this deadline.
/// </summary>
internal sealed class GracefulDrain(GatewayOptions options, TimeProvider time, ILogger<GracefulDrain> logger) : IHostedLifecycleService, IDisposable
{
    private readonly ConcurrentDictionary<HttpContext, byte> _inFlight = new();
    private readonly CancellationTokenSource _cancelled = new();
    private volatile bool _stopping;
    private int _cut;

    /// <summary>True from the moment the gateway is asked to stop.</summary>
    public bool Stopping => _stopping;

    /// <summary>Requests cut at the drain deadline.</summary>
    public int Cut => _cut;

    public int InFlight => _inFlight.Count;

    /// <summary>Serves one model API request, counted as in flight until it ends.</summary>
    public async Task TrackAsync(HttpContext context, RequestDelegate next)
    {
        _inFlight[context] = 0;
        try
        {
            await next(context);
        }
        finally
        {
            _inFlight.TryRemove(context, out _);
        }
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        GatewayLog.Draining(logger, options.ShutdownDelay, options.DrainTimeout);
        _ = CutAtDeadlineAsync(_cancelled.Token);
        if (options.ShutdownDelay > TimeSpan.Zero)
        {
            await Task.Delay(options.ShutdownDelay, time, cancellationToken);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => _cancelled.CancelAsync();

    public void Dispose() => _cancelled.Dispose();

    private async Task CutAtDeadlineAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(options.ShutdownDelay + options.DrainTimeout, time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var cut = 0;
        foreach (var context in _inFlight.Keys)
        {
            cut++;
            context.Abort();
        }

        if (cut > 0)
        {
            Interlocked.Add(ref _cut, cut);
            GatewayMetrics.DrainCutRequests.Inc(cut);
            GatewayLog.DrainCut(logger, cut);
        }
    }
}
