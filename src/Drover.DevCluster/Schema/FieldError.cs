namespace Drover.DevCluster.Schema;

/// <summary>
/// One validation failure, shaped like an apiserver <c>StatusCause</c>:
/// <paramref name="Field"/> is the path (no leading dot, <c>[i]</c> for indexes),
/// <paramref name="Reason"/> the cause type (<c>FieldValueRequired</c>, ...), and
/// <paramref name="Message"/> the body the real apiserver prints after the path.
/// </summary>
public sealed record FieldError(string Field, string Reason, string Message);
