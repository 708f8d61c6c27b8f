using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Storage;
using Drover.DevCluster.Writes;

namespace Drover.DevCluster.Controllers.Workloads;

/// <summary>
/// The replica set controller: keeps as many active pods as a ReplicaSet asks for (removing unready, restarting and
/// newer pods first, as the real one ranks them) and reports how many are ready and available.
/// </summary>
internal sealed class ReplicaSetController
{
    private readonly WorkloadContext _context;

    public ReplicaSetController(WorkloadContext context) => _context = context;

    /// <summary>
    /// Brings a ReplicaSet's pods to its replicas. With <paramref name="mayCreate"/> false it only removes excess pods:
    /// the simulation runs every removal before any creation, so a rollout that scales one ReplicaSet down before
    /// scaling another up never shows the new pod before the old one is gone.
    /// </summary>
    public bool Sync(ObjectKey key, DateTimeOffset now, bool mayCreate)
    {
        var set = _context.Get(key);
        if (set is null || set.Metadata["deletionTimestamp"] is not null)
        {
            return false;
        }

        var active = _context.Owned(set, Buckets.Pods).Where(PodFacts.IsActive).ToList();
        var desired = (int)(Json.Integer(set.Object, "spec", "replicas") ?? 1);
        var wrote = false;
        if (active.Count < desired && mayCreate)
        {
            for (var i = active.Count; i < desired; i++)
            {
                if (CreatePod(set) is not { } pod)
                {
                    _context.Queue.AddAt(key, now + _context.BackOff);
                    break;
                }

                active.Add(pod);
                wrote = true;
            }
        }
        else if (active.Count > desired)
        {
            foreach (var pod in active.OrderBy(p => PodFacts.IsReady(p) ? 1 : 0)
                         .ThenByDescending(PodFacts.Restarts)
                         .ThenByDescending(PodFacts.Created)
                         .Take(active.Count - desired)
                         .ToList())
            {
                try
                {
                    _context.Operations.Delete(_context.Pods, pod.Namespace, pod.Name, new DeleteRequest { PreconditionUid = pod.Uid });
                    wrote = true;
                }
                catch (ApiException e) when (e.Code is 404 or 409)
                {
                    // Already gone.
                }

                active.Remove(pod);
            }
        }

        return WriteStatus(set, active, now) | wrote;
    }

    private StoredObject? CreatePod(StoredObject set)
    {
        var template = Json.At(set.Object, "spec", "template") as JsonObject ?? [];
        var metadata = new JsonObject
        {
            ["generateName"] = set.Name + "-",
            ["namespace"] = set.Namespace,
            ["labels"] = Json.At(template, "metadata", "labels")?.DeepClone(),
            ["annotations"] = Json.At(template, "metadata", "annotations")?.DeepClone(),
            ["ownerReferences"] = OwnerReferences.ControlledBy(_context.ReplicaSets, set),
        };
        foreach (var (field, value) in metadata.ToList())
        {
            if (value is null)
            {
                metadata.Remove(field);
            }
        }

        var body = new JsonObject { ["metadata"] = metadata, ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject() };
        try
        {
            return _context.Operations.Create(_context.Pods, set.Namespace, body, WriteOptions.Simulated("kube-controller-manager")).Object;
        }
        catch (ApiException)
        {
            // A terminating namespace (or a pod the server refuses) stops this round; the set is looked at again later.
            return null;
        }
    }

    private bool WriteStatus(StoredObject set, List<StoredObject> active, DateTimeOffset now)
    {
        var minReady = Json.Integer(set.Object, "spec", "minReadySeconds") ?? 0;
        var ready = active.Where(PodFacts.IsReady).ToList();
        var available = 0;
        foreach (var pod in ready)
        {
            var since = PodFacts.ReadySince(pod);
            if (minReady <= 0 || since.AddSeconds(minReady) <= now)
            {
                available++;
            }
            else
            {
                _context.Queue.AddAt(new ObjectKey(Buckets.ReplicaSets, set.Namespace, set.Name), since.AddSeconds(minReady));
            }
        }

        var status = new JsonObject();
        if (active.Count > 0)
        {
            status["replicas"] = active.Count;
            status["fullyLabeledReplicas"] = active.Count;
        }
        else
        {
            status["replicas"] = 0;
        }

        if (ready.Count > 0)
        {
            status["readyReplicas"] = ready.Count;
        }

        if (available > 0)
        {
            status["availableReplicas"] = available;
        }

        status["observedGeneration"] = Json.Integer(set.Metadata, "generation") ?? 1;
        if (JsonNode.DeepEquals(set.Object["status"], status))
        {
            return false;
        }

        var next = set.Clone();
        next["status"] = status;
        var stored = _context.Operations.ReplaceInternal(_context.ReplicaSets, set, next);
        if (stored is null)
        {
            _context.Queue.Add(new ObjectKey(Buckets.ReplicaSets, set.Namespace, set.Name));
            return false;
        }

        return stored.ResourceVersion != set.ResourceVersion;
    }
}

/// <summary>What controllers read from a pod's status.</summary>
internal static class PodFacts
{
    public static string Phase(StoredObject pod) => Json.String(pod.Object, "status", "phase") ?? "Pending";

    /// <summary>Counted by its controller: not being deleted and not finished.</summary>
    public static bool IsActive(StoredObject pod) =>
        pod.Metadata["deletionTimestamp"] is null && Phase(pod) is not ("Succeeded" or "Failed");

    public static bool IsReady(StoredObject pod) => StatusConditions.IsTrue(pod.Object["status"], "Ready");

    public static DateTimeOffset ReadySince(StoredObject pod) =>
        KubeTime.TryParse(Json.String(StatusConditions.Find(pod.Object["status"] as JsonObject ?? [], "Ready"), "lastTransitionTime"), out var since) ? since : DateTimeOffset.MinValue;

    public static long Restarts(StoredObject pod) =>
        (Json.At(pod.Object, "status", "containerStatuses") as JsonArray ?? []).Sum(c => Json.Integer(c, "restartCount") ?? 0);

    public static DateTimeOffset Created(StoredObject pod) =>
        KubeTime.TryParse(Json.String(pod.Metadata, "creationTimestamp"), out var created) ? created : DateTimeOffset.MinValue;
}
