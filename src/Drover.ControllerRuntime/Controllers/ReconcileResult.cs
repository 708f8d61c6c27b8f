namespace Drover.ControllerRuntime.Controllers;

public enum ReconcileOutcome
{
    /// <summary>Converged; forget the key's backoff.</summary>
    Done,

    /// <summary>Converged for now; look again after a fixed delay (resets backoff).</summary>
    RequeueAfter,

    /// <summary>Failed transiently; retry with per-key exponential backoff.</summary>
    Error,

    /// <summary>Failed in a way a retry cannot fix (e.g. a bad spec); do not retry until the object changes.</summary>
    Terminal,
}

/// <summary>What a reconciler tells the controller to do with the key next.</summary>
public readonly record struct ReconcileResult(ReconcileOutcome Outcome, TimeSpan Delay = default, string? Message = null)
{
    public static ReconcileResult Done { get; } = new(ReconcileOutcome.Done);

    public static ReconcileResult After(TimeSpan delay) => new(ReconcileOutcome.RequeueAfter, delay);

    public static ReconcileResult Failed(string message) => new(ReconcileOutcome.Error, Message: message);

    public static ReconcileResult Terminal(string message) => new(ReconcileOutcome.Terminal, Message: message);
}
