using Drover.ControllerRuntime.Client;
using k8s;
using k8s.Models;

namespace Drover.ControllerRuntime.LeaderElection;

/// <summary>The Lease in the API server: GET, then POST (first time) or PUT with the resourceVersion read.</summary>
public sealed class KubeLeaseStore : ILeaseStore
{
    public static readonly ResourceKind<V1Lease> LeaseKind =
        new("coordination.k8s.io", "v1", "leases", "Lease", namespaced: true, RuntimeJsonContext.Default.V1Lease);

    private readonly KubeApiClient _client;
    private readonly string _namespace;
    private readonly string _name;

    public KubeLeaseStore(KubeApiClient client, string ns, string name)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(ns);
        ArgumentException.ThrowIfNullOrEmpty(name);
        _client = client;
        _namespace = ns;
        _name = name;
    }

    public string Description => $"{_namespace}/{_name}";

    public async Task<LeaseRecord?> GetAsync(CancellationToken cancellationToken)
    {
        var lease = await _client.GetAsync(LeaseKind, _namespace, _name, cancellationToken);
        return lease is null ? null : ToRecord(lease);
    }

    public async Task<LeaseRecord> CreateAsync(LeaseRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        try
        {
            return ToRecord(await _client.CreateAsync(LeaseKind, ToLease(record), cancellationToken));
        }
        catch (KubeApiException e) when (e.IsConflict)
        {
            throw new LeaseConflictException($"Lease {Description} was created by someone else.", e);
        }
    }

    public async Task<LeaseRecord> UpdateAsync(LeaseRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        try
        {
            return ToRecord(await _client.ReplaceAsync(LeaseKind, ToLease(record), cancellationToken));
        }
        catch (KubeApiException e) when (e.IsConflict)
        {
            throw new LeaseConflictException($"Lease {Description} changed since it was read.", e);
        }
    }

    private V1Lease ToLease(LeaseRecord record) => new()
    {
        ApiVersion = LeaseKind.ApiVersion,
        Kind = LeaseKind.Kind,
        Metadata = new V1ObjectMeta { Name = _name, NamespaceProperty = _namespace, ResourceVersion = record.ResourceVersion },
        Spec = new V1LeaseSpec
        {
            HolderIdentity = record.HolderIdentity,
            LeaseDurationSeconds = record.LeaseDurationSeconds,
            AcquireTime = record.AcquireTime?.UtcDateTime,
            RenewTime = record.RenewTime?.UtcDateTime,
            LeaseTransitions = record.LeaseTransitions,
        },
    };

    private static LeaseRecord ToRecord(V1Lease lease) => new(
        string.IsNullOrEmpty(lease.Spec?.HolderIdentity) ? null : lease.Spec.HolderIdentity,
        lease.Spec?.LeaseDurationSeconds ?? 0,
        ToOffset(lease.Spec?.AcquireTime),
        ToOffset(lease.Spec?.RenewTime),
        lease.Spec?.LeaseTransitions ?? 0,
        lease.Metadata?.ResourceVersion);

    private static DateTimeOffset? ToOffset(DateTime? time) =>
        time is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null;
}
