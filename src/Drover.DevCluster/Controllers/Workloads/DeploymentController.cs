using System.Globalization;
using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Storage;
using Drover.DevCluster.Writes;

namespace Drover.DevCluster.Controllers.Workloads;

/// <summary>
/// The deployment controller: one ReplicaSet per pod-template revision, scaled by the strategy (RollingUpdate within
/// maxSurge and maxUnavailable, Recreate only once every old pod is gone), old revisions pruned to
/// revisionHistoryLimit, and the Deployment's status and conditions computed from its ReplicaSets.
/// </summary>
internal sealed class DeploymentController
{
    public const string Component = "deployment-controller";
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    public const string RevisionHistoryAnnotation = "deployment.kubernetes.io/revision-history";
    public const string DesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
    public const string MaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";

    private readonly WorkloadContext _context;
    private readonly Dictionary<string, (long Generation, long Collisions, string Hash)> _hashes = new(StringComparer.Ordinal);

    public DeploymentController(WorkloadContext context) => _context = context;

    public bool Sync(ObjectKey key, DateTimeOffset now)
    {
        var deployment = _context.Get(key);
        if (deployment is null || deployment.Metadata["deletionTimestamp"] is not null)
        {
            return false;
        }

        return new DeploymentSync(_context, deployment, Hash(deployment), now).Run();
    }

    public void Forget(string uid) => _hashes.Remove(uid);

    /// <summary>The template's hash, computed once per generation (the template changes only with it).</summary>
    private string Hash(StoredObject deployment)
    {
        var generation = Json.Integer(deployment.Metadata, "generation") ?? 0;
        var collisions = Json.Integer(deployment.Object, "status", "collisionCount") ?? 0;
        if (_hashes.TryGetValue(deployment.Uid, out var cached) && cached.Generation == generation && cached.Collisions == collisions)
        {
            return cached.Hash;
        }

        var hash = PodTemplateHash.Compute(Json.At(deployment.Object, "spec", "template"), collisions);
        _hashes[deployment.Uid] = (generation, collisions, hash);
        return hash;
    }
}
