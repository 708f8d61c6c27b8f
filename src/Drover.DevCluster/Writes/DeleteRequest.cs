namespace Drover.DevCluster.Writes;

/// <summary>The parts of <c>DeleteOptions</c> the server honours.</summary>
public sealed class DeleteRequest
{
    /// <summary>Foreground, Background or Orphan; null leaves the default (Background).</summary>
    public string? PropagationPolicy { get; init; }

    public bool? OrphanDependents { get; init; }

    public string? PreconditionUid { get; init; }

    public string? PreconditionResourceVersion { get; init; }

    public bool DryRun { get; init; }
}
