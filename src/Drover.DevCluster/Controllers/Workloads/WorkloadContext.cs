using Drover.DevCluster.Protocol;
using Drover.DevCluster.Resources;
using Drover.DevCluster.Storage;
using Drover.DevCluster.TestControls;
using Drover.DevCluster.Writes;

namespace Drover.DevCluster.Controllers.Workloads;

/// <summary>What the simulated controllers and kubelet share: the server's writes, the kinds, the queue and the owner index.</summary>
internal sealed class WorkloadContext
{
    public WorkloadContext(ResourceOperations operations, SimulatedImages images, TimeSpan startDelay, TimeSpan backOff, TimeProvider time)
    {
        Operations = operations;
        Images = images;
        StartDelay = startDelay;
        BackOff = backOff;
        Time = time;
        Deployments = Builtin(operations, "apps", "deployments");
        ReplicaSets = Builtin(operations, "apps", "replicasets");
        Pods = Builtin(operations, string.Empty, "pods");
        Jobs = Builtin(operations, "batch", "jobs");
        Claims = Builtin(operations, string.Empty, "persistentvolumeclaims");
        Volumes = Builtin(operations, string.Empty, "persistentvolumes");
        Events = new ControllerEvents(operations, time);
    }

    public ResourceOperations Operations { get; }

    public ObjectStore Store => Operations.ObjectStore;

    public SimulatedImages Images { get; }

    /// <summary>How long a pod takes from creation until its containers start (the dev cluster's rollout delay).</summary>
    public TimeSpan StartDelay { get; }

    /// <summary>The first back-off after a failed pull, a crash or a failed Job pod; it doubles up to five minutes.</summary>
    public TimeSpan BackOff { get; }

    public TimeProvider Time { get; }

    public WorkQueue Queue { get; } = new();

    public OwnerIndex Owners { get; } = new();

    public ControllerEvents Events { get; }

    public ResourceType Deployments { get; }

    public ResourceType ReplicaSets { get; }

    public ResourceType Pods { get; }

    public ResourceType Jobs { get; }

    public ResourceType Claims { get; }

    public ResourceType Volumes { get; }

    public StoredObject? Get(ObjectKey key) => Store.Get(key.Bucket, key.Namespace, key.Name);

    /// <summary>The live objects of <paramref name="bucket"/> that <paramref name="owner"/> controls.</summary>
    public List<StoredObject> Owned(StoredObject owner, string bucket)
    {
        var owned = new List<StoredObject>();
        foreach (var key in Owners.Dependents(owner.Uid))
        {
            if (key.Bucket == bucket && Get(key) is { } obj && OwnerReferences.Controller(obj.Metadata) is { } reference && Json.String(reference, "uid") == owner.Uid)
            {
                owned.Add(obj);
            }
        }

        return owned;
    }

    /// <summary>The back-off after the <paramref name="failures"/>-th failure: BackOff, doubled each time, at most five minutes.</summary>
    public TimeSpan BackOffAfter(int failures)
    {
        var limit = TimeSpan.FromMinutes(5);
        var delay = BackOff;
        for (var i = 1; i < failures && delay < limit; i++)
        {
            delay *= 2;
        }

        return delay < limit ? delay : limit;
    }

    private static ResourceType Builtin(ResourceOperations operations, string group, string plural) =>
        operations.Catalog.Find(group, "v1", plural) ?? throw new InvalidOperationException($"the dev cluster does not serve {plural}");
}
