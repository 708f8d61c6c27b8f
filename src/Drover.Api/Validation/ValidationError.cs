namespace Drover.Api.Validation;

/// <summary>One problem with an object, named by the JSON path of the offending field (for example <c>spec.schedule</c>).</summary>
/// <param name="Field">Path of the field, without a leading dot, with [i] for list indexes.</param>
/// <param name="Message">What is wrong and what would be accepted.</param>
public sealed record ValidationError(string Field, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Field}: {Message}";
}
