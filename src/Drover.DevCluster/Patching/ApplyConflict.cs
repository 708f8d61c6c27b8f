namespace Drover.DevCluster.Patching;

/// <summary>
/// A field another manager owns with a different value. <see cref="Field"/> is in structured-merge-diff path syntax
/// (<c>.spec.replicas</c>); <see cref="Message"/> is the Status cause message, e.g. <c>conflict with "kubectl" using apps/v1</c>.
/// </summary>
public sealed record ApplyConflict(string Manager, string Field, string Message);
