namespace Drover.ControllerRuntime.Controllers;

/// <summary>What the host needs from a controller of any type: run its workers while leading.</summary>
public interface IController
{
    string Name { get; }

    /// <summary>Queues every cached primary object; done on gaining leadership and on resync.</summary>
    void EnqueueAll();

    /// <summary>Runs the workers until cancelled, then waits for in-flight reconciles to return.</summary>
    Task RunWorkersAsync(CancellationToken cancellationToken);
}
