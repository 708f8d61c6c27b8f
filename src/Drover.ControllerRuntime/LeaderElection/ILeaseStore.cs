namespace Drover.ControllerRuntime.LeaderElection;

/// <summary>
/// Reads and writes the one Lease an election is about. Writes are optimistic: an update carries the
/// resourceVersion it read, and a store that holds a newer one throws <see cref="LeaseConflictException"/>.
/// </summary>
public interface ILeaseStore
{
    /// <summary>A short description for logs and metric labels, e.g. <c>ns/name</c>.</summary>
    string Description { get; }

    Task<LeaseRecord?> GetAsync(CancellationToken cancellationToken);

    Task<LeaseRecord> CreateAsync(LeaseRecord record, CancellationToken cancellationToken);

    Task<LeaseRecord> UpdateAsync(LeaseRecord record, CancellationToken cancellationToken);
}

/// <summary>Someone else created or changed the Lease since we read it.</summary>
public sealed class LeaseConflictException : Exception
{
    public LeaseConflictException()
    {
    }

    public LeaseConflictException(string message)
        : base(message)
    {
    }

    public LeaseConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
