namespace Drover.ControllerRuntime.Controllers;

/// <summary>What the host needs from a controller of any type: run its workers while leading.</summary>
public interface IController
{
    string Name { get; }

    /// <summary>Queues every cached primary object; done on gaining leadership and on resync.</summary>
    void EnqueueAll();

    /// <summary>Runs the workers until cancelled, then waits for in-flight reconciles to return.</summary>
    Task RunWorkersAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs the workers until <paramref name="cancellationToken"/> is cancelled; in-flight reconciles then get the
    /// shutdown grace period, unless <paramref name="abandon"/> is cancelled (leadership was lost, so another replica may
    /// already be reconciling), which cancels them at once.
    /// </summary>
    Task RunWorkersAsync(CancellationToken cancellationToken, CancellationToken abandon);
}
