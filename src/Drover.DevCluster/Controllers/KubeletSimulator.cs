using System.Collections.Concurrent;
using Drover.DevCluster.Controllers.Workloads;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Storage;
using Drover.DevCluster.TestControls;
using Drover.DevCluster.Writes;

namespace Drover.DevCluster.Controllers;

/// <summary>
/// Stands in for the controllers and the node of a real cluster: the deployment, replica set and job controllers,
/// a dynamic volume provisioner, and one node's kubelet. Driven by the objects that committed writes touched and by
/// the timers those controllers set, so a settled cluster costs nothing per sweep, however many objects it holds.
/// </summary>
internal sealed class KubeletSimulator
{
    private readonly WorkloadContext _context;
    private readonly DeploymentController _deployments;
    private readonly ReplicaSetController _replicaSets;
    private readonly JobController _jobs;
    private readonly PodRuntime _pods;
    private readonly VolumeProvisioner _volumes;
    private readonly ConcurrentQueue<string> _gone = new();

    public KubeletSimulator(ResourceOperations operations, SimulatedImages images, TimeSpan startDelay, TimeSpan backOff, TimeProvider time)
    {
        _context = new WorkloadContext(operations, images, startDelay, backOff, time);
        _deployments = new DeploymentController(_context);
        _replicaSets = new ReplicaSetController(_context);
        _jobs = new JobController(_context);
        _pods = new PodRuntime(_context);
        _volumes = new VolumeProvisioner(_context);
    }

    /// <summary>When work is next due (now, if some is waiting), or null when nothing will happen by itself.</summary>
    public DateTimeOffset? NextDue => _context.Queue.NextDue;

    /// <summary>Called from the store's commit hook, under its lock: notes what to look at; true when it noted anything.</summary>
    public bool Notify(StoreEvent change)
    {
        var obj = change.Object;
        var key = new ObjectKey(change.Bucket, obj.Namespace, obj.Name);
        var deleted = change.Type == "DELETED";
        switch (change.Bucket)
        {
            case Buckets.Deployments:
            case Buckets.Jobs:
                _context.Queue.Add(key);
                break;
            case Buckets.ReplicaSets:
                Index(key, obj, deleted);
                _context.Queue.Add(key);
                AddController(change);
                break;
            case Buckets.Pods:
                Index(key, obj, deleted);
                if (change.Type == "ADDED")
                {
                    _context.Queue.Add(key);
                }

                AddController(change);
                break;
            case Buckets.Claims:
                if (deleted && Protocol.Json.String(obj.Object, "spec", "volumeName") is { Length: > 0 } volume)
                {
                    _context.Queue.Add(new ObjectKey(Buckets.Volumes, string.Empty, volume));
                }
                else if (!deleted)
                {
                    _context.Queue.Add(key);
                }

                break;
            default:
                return false;
        }

        if (deleted)
        {
            _gone.Enqueue(obj.Uid);
        }

        return true;
    }

    /// <summary>Does what is due; true when it wrote something (so another sweep should follow soon).</summary>
    public bool Sweep()
    {
        while (_gone.TryDequeue(out var uid))
        {
            _pods.Forget(uid);
            _deployments.Forget(uid);
            _context.Events.Forget(uid);
        }

        var now = _context.Time.GetUtcNow();
        var work = _context.Queue.Take(now);
        if (work.Count == 0)
        {
            return false;
        }

        // In order: Deployments decide, then every ReplicaSet removes its excess pods before any creates new ones
        // (see ReplicaSetController.Sync), then Jobs, the kubelet and volumes.
        var byBucket = work.ToLookup(k => k.Bucket);
        var steps = new List<(ObjectKey Key, Func<bool> Sync)>(work.Count + byBucket[Buckets.ReplicaSets].Count());
        steps.AddRange(byBucket[Buckets.Deployments].Select(k => (k, (Func<bool>)(() => _deployments.Sync(k, now)))));
        steps.AddRange(byBucket[Buckets.ReplicaSets].Select(k => (k, (Func<bool>)(() => _replicaSets.Sync(k, now, mayCreate: false)))));
        steps.AddRange(byBucket[Buckets.ReplicaSets].Select(k => (k, (Func<bool>)(() => _replicaSets.Sync(k, now, mayCreate: true)))));
        steps.AddRange(byBucket[Buckets.Jobs].Select(k => (k, (Func<bool>)(() => _jobs.Sync(k, now)))));
        steps.AddRange(byBucket[Buckets.Pods].Select(k => (k, (Func<bool>)(() => _pods.Sync(k, now)))));
        steps.AddRange(byBucket[Buckets.Claims].Select(k => (k, (Func<bool>)(() => _volumes.SyncClaim(k)))));
        steps.AddRange(byBucket[Buckets.Volumes].Select(k => (k, (Func<bool>)(() => _volumes.SyncVolume(k)))));

        var wrote = false;
        Exception? failure = null;
        foreach (var (stepKey, sync) in steps)
        {
            try
            {
                wrote |= sync();
            }
            catch (ApiException e) when (e.Code == 404)
            {
                // The object (or its namespace) went while it was being worked on: nothing left to do for it.
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One object's trouble must not starve the rest: it is retried later, and the loop logs the failure.
                _context.Queue.AddAt(stepKey, now + TimeSpan.FromSeconds(1));
                failure ??= e;
            }
        }

        if (failure is not null)
        {
            throw new InvalidOperationException("the simulated workload controllers failed on some objects; they are retried", failure);
        }

        return wrote;
    }

    private void Index(ObjectKey key, StoredObject obj, bool deleted)
    {
        if (deleted)
        {
            _context.Owners.Remove(key);
            return;
        }

        _context.Owners.Set(key, OwnerReferences.Controller(obj.Metadata) is { } reference ? Protocol.Json.String(reference, "uid") : null);
    }

    private void AddController(StoreEvent change)
    {
        if (OwnerReferences.ControllerKey(change.Bucket, change.Object) is { } owner)
        {
            _context.Queue.Add(owner);
        }

        if (change.Previous is { } previous && OwnerReferences.ControllerKey(change.Bucket, previous) is { } before)
        {
            _context.Queue.Add(before);
        }
    }
}
