using Drover.ControllerRuntime.LeaderElection;

namespace Drover.ControllerRuntime.Tests.LeaderElection;

/// <summary>
/// One candidate's view of a shared lease store whose writes, once <see cref="Hang"/> is set, never return (until
/// cancelled): the half-open connection or stuck API server a leader's renewal must not wait on forever.
/// </summary>
public sealed class HangingWritesLeaseStore(ILeaseStore inner) : ILeaseStore
{
    private int _hanging;

    public bool Hang { get; set; }

    /// <summary>Writes waiting right now.</summary>
    public int Hanging => Volatile.Read(ref _hanging);

    public string Description => inner.Description;

    public Task<LeaseRecord?> GetAsync(CancellationToken cancellationToken) => inner.GetAsync(cancellationToken);

    public async Task<LeaseRecord> CreateAsync(LeaseRecord record, CancellationToken cancellationToken)
    {
        await HangIfAskedAsync(cancellationToken);
        return await inner.CreateAsync(record, cancellationToken);
    }

    public async Task<LeaseRecord> UpdateAsync(LeaseRecord record, CancellationToken cancellationToken)
    {
        await HangIfAskedAsync(cancellationToken);
        return await inner.UpdateAsync(record, cancellationToken);
    }

    private async Task HangIfAskedAsync(CancellationToken cancellationToken)
    {
        if (!Hang)
        {
            return;
        }

        Interlocked.Increment(ref _hanging);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _hanging);
        }
    }
}
