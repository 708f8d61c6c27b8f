using Drover.ControllerRuntime.Client;

namespace Drover.ControllerRuntime.Controllers;

/// <summary>
/// The key to reconcile and the primary object as the cache holds it now (null when it is gone).
/// Read-only: clone before changing.
/// </summary>
public sealed record ReconcileRequest<T>(ObjectKey Key, T? Object)
    where T : class;

public interface IReconciler<T>
    where T : class
{
    /// <summary>Drives the world towards the object's spec. Exceptions are caught, logged, counted and retried with backoff.</summary>
    Task<ReconcileResult> ReconcileAsync(ReconcileRequest<T> request, CancellationToken cancellationToken);
}
