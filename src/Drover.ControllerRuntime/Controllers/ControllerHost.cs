using Drover.ControllerRuntime.Informers;
using Drover.ControllerRuntime.LeaderElection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drover.ControllerRuntime.Controllers;

/// <summary>
/// Runs a set of informers and controllers as one hosted service. Informers start at once and stay warm on every
/// replica; controllers' workers run only after all caches have synced and, with leader election, only while this
/// replica holds the lease. On stop the workers finish, then the lease is released. On losing the lease, reconciles
/// in flight are cancelled at once: a standby may already be reconciling the same objects.
/// </summary>
public sealed class ControllerHost : BackgroundService
{
    private readonly List<IInformer> _informers = [];
    private readonly List<IController> _controllers = [];
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LeaderElector? _elector;
    private CancellationToken _stopping;
    private volatile bool _running;

    public ControllerHost(ILogger<ControllerHost>? logger = null)
    {
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public IReadOnlyList<IInformer> Informers => _informers;

    public IReadOnlyList<IController> Controllers => _controllers;

    public LeaderElector? Elector => _elector;

    /// <summary>True while this replica runs the controllers' workers.</summary>
    public bool IsLeader => _running && (_elector?.IsLeader ?? true);

    /// <summary>Completes when every informer has listed once.</summary>
    public Task HasSynced => _synced.Task;

    public ControllerHost AddInformer(IInformer informer)
    {
        ArgumentNullException.ThrowIfNull(informer);
        _informers.Add(informer);
        return this;
    }

    public ControllerHost AddController(IController controller)
    {
        ArgumentNullException.ThrowIfNull(controller);
        _controllers.Add(controller);
        return this;
    }

    public ControllerHost UseLeaderElection(LeaderElector elector)
    {
        ArgumentNullException.ThrowIfNull(elector);
        _elector = elector;
        return this;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        var informers = _informers.Select(i => i.RunAsync(stoppingToken)).ToList();
        try
        {
            await Task.WhenAll(_informers.Select(i => i.HasSynced)).WaitAsync(stoppingToken);
            _synced.TrySetResult();
            _logger.LogInformation("{Count} informers synced", _informers.Count);
            if (_elector is null)
            {
                await RunControllersAsync(stoppingToken);
            }
            else
            {
                await _elector.RunAsync(RunControllersAsync, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll(informers);
    }

    private async Task RunControllersAsync(CancellationToken cancellationToken)
    {
        _running = true;

        // The leading token ends on stop and on losing the lease; only a loss abandons the reconciles in flight.
        using var lost = new CancellationTokenSource();
        await using var leadingEnded = cancellationToken.Register(() =>
        {
            if (!_stopping.IsCancellationRequested)
            {
                lost.Cancel();
            }
        });
        try
        {
            // Whatever happened while standing by is in the caches, not necessarily in the queues: look at everything once.
            foreach (var controller in _controllers)
            {
                controller.EnqueueAll();
            }

            await Task.WhenAll(_controllers.Select(c => c.RunWorkersAsync(cancellationToken, lost.Token)));
        }
        finally
        {
            _running = false;
        }
    }
}
