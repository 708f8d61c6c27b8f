using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Resources;
using Drover.DevCluster.Storage;
using Drover.DevCluster.Writes;

namespace Drover.DevCluster.Controllers;

/// <summary>
/// Stands in for the deployment and job controllers plus kubelets: Deployments become fully available
/// shortly after a spec change (after the configured rollout delay for a change to a running Deployment),
/// Jobs complete.
/// </summary>
internal sealed class KubeletSimulator
{
    private readonly ResourceOperations _operations;
    private readonly TimeSpan _rolloutDelay;
    private readonly TimeProvider _time;
    private readonly Dictionary<(string Uid, long Generation), (DateTimeOffset Seen, bool Rolling)> _firstSeen = [];

    public KubeletSimulator(ResourceOperations operations, TimeSpan rolloutDelay, TimeProvider time)
    {
        _operations = operations;
        _rolloutDelay = rolloutDelay;
        _time = time;
    }

    /// <summary>Whether some rollout or job is still waiting for its time to come.</summary>
    public bool Pending { get; private set; }

    public bool Sweep()
    {
        var changed = false;
        var pending = false;
        var deployments = _operations.Catalog.Find("apps", "v1", "deployments")!;
        foreach (var deployment in _operations.ObjectStore.List(deployments.StorageKey, null).Items)
        {
            var (wrote, waiting) = Roll(deployments, deployment);
            changed |= wrote;
            pending |= waiting;
        }

        var jobs = _operations.Catalog.Find("batch", "v1", "jobs")!;
        foreach (var job in _operations.ObjectStore.List(jobs.StorageKey, null).Items)
        {
            var (wrote, waiting) = Run(jobs, job);
            changed |= wrote;
            pending |= waiting;
        }

        foreach (var key in _firstSeen.Keys.Where(k => !_operations.ObjectStore.UidExists(k.Uid)).ToList())
        {
            _firstSeen.Remove(key);
        }

        Pending = pending;
        return changed;
    }

    private (bool Wrote, bool Waiting) Roll(ResourceType type, StoredObject deployment)
    {
        if (deployment.Metadata["deletionTimestamp"] is not null)
        {
            return (false, false);
        }

        var obj = deployment.Object;
        var generation = Json.Integer(obj, "metadata", "generation") ?? 1;
        var replicas = Json.Integer(obj, "spec", "replicas") ?? 1;
        var observed = Json.Integer(obj, "status", "observedGeneration");

        // Nearly every Deployment is settled nearly always. Seeing that from its status spares a deep clone, a template
        // hash and a compare per Deployment per sweep, which at 10,000 Deployments spaced sweeps seconds apart.
        if (observed == generation && IsSettled(obj, replicas))
        {
            return (false, false);
        }

        var now = _time.GetUtcNow();
        // Whether this generation is a change to a running Deployment is decided when it is first seen.
        var (seen, rolling) = FirstSeen(deployment.Uid, generation, now, observed is not null && observed < generation);
        var settled = !rolling || now - seen >= _rolloutDelay;
        var next = deployment.Clone();
        var status = next["status"] as JsonObject ?? [];
        next["status"] = status;
        var replicaSet = $"{deployment.Name}-{TemplateHash(obj)}";
        status["observedGeneration"] = generation;
        if (settled)
        {
            SetCount(status, "replicas", replicas);
            SetCount(status, "updatedReplicas", replicas);
            SetCount(status, "readyReplicas", replicas);
            SetCount(status, "availableReplicas", replicas);
            status.Remove("unavailableReplicas");
            Condition(status, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now);
            Condition(status, "Progressing", "True", "NewReplicaSetAvailable", $"ReplicaSet \"{replicaSet}\" has successfully progressed.", now);
        }
        else
        {
            SetCount(status, "replicas", replicas);
            SetCount(status, "updatedReplicas", 0);
            Condition(status, "Progressing", "True", "ReplicaSetUpdated", $"ReplicaSet \"{replicaSet}\" is progressing.", now);
        }

        var wrote = _operations.ReplaceInternal(type, deployment, next) is { } stored && stored.ResourceVersion != deployment.ResourceVersion;
        return (wrote, !settled);
    }

    private (bool Wrote, bool Waiting) Run(ResourceType type, StoredObject job)
    {
        var obj = job.Object;
        var conditions = Json.At(obj, "status", "conditions") as JsonArray ?? [];
        if (job.Metadata["deletionTimestamp"] is not null
            || Json.At(obj, "spec", "suspend")?.GetValue<bool>() == true
            || conditions.Any(c => Json.String(c, "type") is "Complete" or "Failed"))
        {
            return (false, false);
        }

        var now = _time.GetUtcNow();
        var (seen, _) = FirstSeen(job.Uid, 0, now, rolling: true);
        var next = job.Clone();
        var status = next["status"] as JsonObject ?? [];
        next["status"] = status;
        status["startTime"] ??= KubeTime.Format(seen);
        var done = now - seen >= _rolloutDelay;
        if (done)
        {
            status.Remove("active");
            status["succeeded"] = Json.Integer(obj, "spec", "completions") ?? 1;
            status["completionTime"] = KubeTime.Format(now);
            Condition(status, "SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods", now);
            Condition(status, "Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods", now);
        }
        else
        {
            status["active"] = 1;
        }

        var wrote = _operations.ReplaceInternal(type, job, next) is { } stored && stored.ResourceVersion != job.ResourceVersion;
        return (wrote, !done);
    }

    private (DateTimeOffset Seen, bool Rolling) FirstSeen(string uid, long generation, DateTimeOffset now, bool rolling)
    {
        if (!_firstSeen.TryGetValue((uid, generation), out var entry))
        {
            entry = (now, rolling);
            _firstSeen[(uid, generation)] = entry;
        }

        return entry;
    }

    private static string TemplateHash(JsonObject deployment)
    {
        var template = Json.At(deployment, "spec", "template")?.ToJsonString() ?? string.Empty;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(template));
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Concat(hash.Take(10).Select(b => alphabet[b % alphabet.Length]));
    }

    /// <summary>Whether the status already says what a settled rollout of this generation would write.</summary>
    private static bool IsSettled(JsonObject deployment, long replicas)
    {
        foreach (var field in (string[])["replicas", "updatedReplicas", "readyReplicas", "availableReplicas"])
        {
            if ((Json.Integer(deployment, "status", field) ?? 0) != replicas)
            {
                return false;
            }
        }

        if (Json.At(deployment, "status", "unavailableReplicas") is not null || Json.At(deployment, "status", "conditions") is not JsonArray conditions)
        {
            return false;
        }

        return conditions.Any(c => Json.String(c, "type") == "Available" && Json.String(c, "status") == "True")
            && conditions.Any(c => Json.String(c, "type") == "Progressing" && Json.String(c, "reason") == "NewReplicaSetAvailable");
    }

    private static void SetCount(JsonObject status, string field, long value)
    {
        if (value > 0)
        {
            status[field] = value;
        }
        else
        {
            status.Remove(field);
        }
    }

    private static void Condition(JsonObject status, string type, string value, string reason, string message, DateTimeOffset now)
    {
        var conditions = status["conditions"] as JsonArray ?? [];
        status["conditions"] = conditions;
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => Json.String(c, "type") == type);
        if (existing is null)
        {
            existing = new JsonObject { ["type"] = type };
            conditions.Add(existing);
        }

        var stamp = KubeTime.Format(now);
        if (Json.String(existing, "status") != value)
        {
            existing["lastTransitionTime"] = stamp;
        }

        if (Json.String(existing, "status") != value || Json.String(existing, "reason") != reason || Json.String(existing, "message") != message)
        {
            existing["lastUpdateTime"] = stamp;
        }

        existing["status"] = value;
        existing["reason"] = reason;
        existing["message"] = message;
        existing["lastTransitionTime"] ??= stamp;
    }
}
