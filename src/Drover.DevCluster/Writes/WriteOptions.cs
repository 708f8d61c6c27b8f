using Drover.DevCluster.Access;

namespace Drover.DevCluster.Writes;

/// <summary>How a write asked to be treated: who makes it, how strictly unknown fields are handled.</summary>
public sealed class WriteOptions
{
    public string? FieldManager { get; init; }

    /// <summary>Strict, Warn (the server default) or Ignore.</summary>
    public string FieldValidation { get; init; } = "Warn";

    public bool DryRun { get; init; }

    /// <summary>Names the manager of non-apply writes that give no fieldManager (the part before the first '/').</summary>
    public string? UserAgent { get; init; }

    /// <summary>Who asked, when authentication is on; null for the server's own writes and when it is off.</summary>
    public DevClusterUser? User { get; init; }

    /// <summary>Text for <c>Warning: 299</c> response headers, filled in as the write proceeds.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>Whether a create records a managedFields entry for its manager (a real server always does).</summary>
    public bool RecordManagedFields { get; init; } = true;

    /// <summary>Writes made by the server itself (controllers), which skip field validation and managedFields.</summary>
    public static WriteOptions Internal(string manager) => new() { FieldManager = manager, FieldValidation = "Ignore" };

    /// <summary>
    /// Objects the simulated controllers and kubelet create (ReplicaSets, Pods, Events, volumes): without managedFields,
    /// which no client reads from them and which cost more than everything else in creating them.
    /// </summary>
    public static WriteOptions Simulated(string manager) => new() { FieldManager = manager, FieldValidation = "Ignore", RecordManagedFields = false };
}
