using System.Diagnostics.CodeAnalysis;
using Drover.ControllerRuntime.Apply;
using Drover.ControllerRuntime.Client;
using Drover.Gateway.Admission;
using Drover.Gateway.Configuration;
using Drover.Gateway.Status;
using Drover.Gateway.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Drover.Gateway.Hosting;

/// <summary>
/// The gateway on a cluster: the informers of <see cref="KubernetesClusterView"/>, the usage counted so far today
/// read back from status once they have synced (so a restart forgets nothing), then the status writer. Ready once
/// all of that has happened.
/// </summary>
internal sealed class KubernetesRuntime : IHostedService, IAsyncDisposable
{
    private readonly KubernetesClusterView _view;
    private readonly IAdmissionState _state;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running = [];
    private volatile bool _ready;

    public KubernetesRuntime(KubeApiClient client, GatewayOptions options, IAdmissionState state, ILoggerFactory loggers, TimeProvider time)
    {
        _view = new KubernetesClusterView(client, options.Namespaces, loggers, time);
        _state = state;
        _time = time;
        _logger = loggers.CreateLogger("Drover.Gateway");
        var events = new EventRecorder(client, new EventRecorderOptions { ReportingController = "drover.dev/gateway" }, loggers.CreateLogger("Drover.Gateway.Events"), time);
        Writer = new UsageStatusWriter(client, _view, state, events, options.StatusInterval, time, _logger);
    }

    public KubernetesClusterView View => _view;

    public UsageStatusWriter Writer { get; }

    public bool IsReady => _ready;

    public GatewayServices Services => new(_view, _state, Writer, _time) { Background = this, IsReady = () => _ready };

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var informer in _view.Informers)
        {
            _running.Add(Task.Run(() => informer.RunAsync(_stop.Token), CancellationToken.None));
        }

        _running.Add(Task.Run(() => StartServingAsync(_stop.Token), CancellationToken.None));
        await Task.CompletedTask;
    }

    [SuppressMessage("Design", "CA1031", Justification = "Background loops end on cancellation; anything else is logged by them.")]
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_running).WaitAsync(cancellationToken);
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        _stop.Dispose();
    }

    private async Task StartServingAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_view.Informers.Select(i => i.HasSynced)).WaitAsync(cancellationToken);
        await RestoreUsageAsync(cancellationToken);
        _ready = true;
        await Writer.RunAsync(cancellationToken);
    }

    /// <summary>Seeds today's windows from what status.usage says was counted before this process started.</summary>
    private async Task RestoreUsageAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        foreach (var agent in _view.Agents)
        {
            var bucket = new BucketKey(agent.Metadata.NamespaceProperty, agent.Metadata.Name, null);
            await RestoreAsync(bucket, agent.Spec.Budget, agent.Status?.Usage, now, cancellationToken);
        }

        foreach (var schedule in _view.Schedules)
        {
            var bucket = new BucketKey(schedule.Metadata.NamespaceProperty, schedule.Spec.AgentRef.Name, schedule.Metadata.Name);
            await RestoreAsync(bucket, schedule.Spec.Budget, schedule.Status?.Usage, now, cancellationToken);
        }
    }

    private async Task RestoreAsync(BucketKey bucket, Api.V1Alpha1.Budget? budget, Api.V1Alpha1.Usage? usage, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var window = BudgetDays.Window(bucket, budget, now);
        if (UsageStatus.Read(usage, window.Start) is { } counted)
        {
            await _state.RestoreAsync(bucket, window.Start, counted, cancellationToken);
            GatewayLog.UsageRestored(_logger, bucket.ToString(), window.Start, counted.Tokens.Total, counted.Requests);
        }
    }
}
