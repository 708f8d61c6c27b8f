namespace Drover.Operator.Status;

/// <summary>
/// A condition as the pure core decides it, without timestamps or generation: the reconciler merges it into
/// <c>status.conditions</c> so <c>lastTransitionTime</c> only moves when the status flips.
/// </summary>
/// <param name="Type">Condition type, for example Ready.</param>
/// <param name="Status">True, False or Unknown.</param>
/// <param name="Reason">A CamelCase reason a program can switch on.</param>
/// <param name="Message">What happened and what to fix, for a person.</param>
internal sealed record DesiredCondition(string Type, string Status, string Reason, string Message)
{
    public const string True = "True";
    public const string False = "False";
    public const string Unknown = "Unknown";

    public static DesiredCondition Met(string type, string reason, string message) => new(type, True, reason, message);

    public static DesiredCondition Failed(string type, string reason, string message) => new(type, False, reason, message);

    public bool IsTrue => Status == True;

    public override string ToString() => $"{Type}={Status} ({Reason}): {Message}";
}
