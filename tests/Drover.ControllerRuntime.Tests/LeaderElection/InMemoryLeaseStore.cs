using System.Globalization;
using Drover.ControllerRuntime.LeaderElection;

namespace Drover.ControllerRuntime.Tests.LeaderElection;

/// <summary>A lease store with API-server semantics (optimistic concurrency on resourceVersion) and a switch to fail writes.</summary>
public sealed class InMemoryLeaseStore : ILeaseStore
{
    private readonly Lock _lock = new();
    private LeaseRecord? _record;
    private int _version;

    public string Description => "test/lease";

    /// <summary>While true every read and write fails, as when the API server is unreachable.</summary>
    public bool Unreachable { get; set; }

    public LeaseRecord? Current
    {
        get
        {
            lock (_lock)
            {
                return _record;
            }
        }
    }

    public Task<LeaseRecord?> GetAsync(CancellationToken cancellationToken)
    {
        ThrowIfUnreachable();
        lock (_lock)
        {
            return Task.FromResult(_record);
        }
    }

    public Task<LeaseRecord> CreateAsync(LeaseRecord record, CancellationToken cancellationToken)
    {
        ThrowIfUnreachable();
        lock (_lock)
        {
            if (_record is not null)
            {
                throw new LeaseConflictException("already exists");
            }

            _record = record with { ResourceVersion = (++_version).ToString(CultureInfo.InvariantCulture) };
            return Task.FromResult(_record);
        }
    }

    public Task<LeaseRecord> UpdateAsync(LeaseRecord record, CancellationToken cancellationToken)
    {
        ThrowIfUnreachable();
        lock (_lock)
        {
            if (_record is null || _record.ResourceVersion != record.ResourceVersion)
            {
                throw new LeaseConflictException("stale resourceVersion");
            }

            _record = record with { ResourceVersion = (++_version).ToString(CultureInfo.InvariantCulture) };
            return Task.FromResult(_record);
        }
    }

    private void ThrowIfUnreachable()
    {
        if (Unreachable)
        {
            throw new HttpRequestException("connection refused");
        }
    }
}
