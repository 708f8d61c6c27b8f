namespace Drover.Operator.Status;

/// <summary>Why something could not be resolved or written: a condition reason and a message that says what to fix.</summary>
internal sealed record ResolutionFailure(string Reason, string Message)
{
    public override string ToString() => $"{Reason}: {Message}";
}
