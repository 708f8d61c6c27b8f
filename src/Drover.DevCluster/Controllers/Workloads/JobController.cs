using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Storage;
using Drover.DevCluster.Writes;

namespace Drover.DevCluster.Controllers.Workloads;

/// <summary>
/// The job controller: runs a Job's pods (parallelism, completions), replaces failed ones after a back-off until
/// backoffLimit, fails the Job when activeDeadlineSeconds passes (terminating its pods), and completes it.
/// </summary>
internal sealed class JobController
{
    public const string Component = "job-controller";
    private readonly WorkloadContext _context;

    public JobController(WorkloadContext context) => _context = context;

    public bool Sync(ObjectKey key, DateTimeOffset now)
    {
        var job = _context.Get(key);
        if (job is null || job.Metadata["deletionTimestamp"] is not null)
        {
            return false;
        }

        var status = job.Object["status"]?.DeepClone() as JsonObject ?? [];
        var pods = _context.Owned(job, Buckets.Pods);
        var active = pods.Where(PodFacts.IsActive).ToList();
        var wrote = false;
        if (StatusConditions.IsTrue(status, "Complete") || StatusConditions.IsTrue(status, "Failed"))
        {
            return false;
        }

        var spec = job.Object["spec"] as JsonObject ?? [];
        if (Json.At(spec, "suspend") is JsonValue s && s.TryGetValue<bool>(out var suspended) && suspended)
        {
            wrote |= Terminate(active);
            status.Remove("active");
            status.Remove("ready");
            StatusConditions.SetJob(status, "Suspended", "True", "JobSuspended", "Job suspended", now);
            return Write(job, status) | wrote;
        }

        if (StatusConditions.Find(status, "Suspended") is { } condition && Json.String(condition, "status") == "True")
        {
            StatusConditions.SetJob(status, "Suspended", "False", "JobResumed", "Job resumed", now);
            status.Remove("startTime");
        }

        if (!KubeTime.TryParse(Json.String(status, "startTime"), out var started))
        {
            started = now;
            status["startTime"] = KubeTime.Format(now);
        }

        var succeeded = pods.Count(p => PodFacts.Phase(p) == "Succeeded");
        var failedPods = pods.Where(p => PodFacts.Phase(p) == "Failed").ToList();
        var restartPolicy = Json.String(spec, "template", "spec", "restartPolicy") ?? "Never";
        var backoffLimit = Json.Integer(spec, "backoffLimit") ?? 6;
        var parallelism = (int)(Json.Integer(spec, "parallelism") ?? 1);
        var completions = (int)(Json.Integer(spec, "completions") ?? 1);
        SetCount(status, "succeeded", succeeded);
        SetCount(status, "failed", failedPods.Count);

        if (Json.Integer(spec, "activeDeadlineSeconds") is { } deadline)
        {
            var due = started.AddSeconds(deadline);
            if (now >= due)
            {
                return Fail(job, status, active, failedPods.Count, "DeadlineExceeded", "Job was active longer than specified deadline", now) | wrote;
            }

            _context.Queue.AddAt(key, due);
        }

        var restarts = restartPolicy == "OnFailure" ? active.Sum(PodFacts.Restarts) : 0;
        if ((restartPolicy != "OnFailure" && failedPods.Count > backoffLimit) || (restartPolicy == "OnFailure" && restarts > 0 && restarts >= backoffLimit))
        {
            return Fail(job, status, active, failedPods.Count, "BackoffLimitExceeded", "Job has reached the specified backoff limit", now) | wrote;
        }

        if (succeeded >= completions)
        {
            wrote |= Terminate(active);
            status.Remove("active");
            status.Remove("ready");
            status["completionTime"] = KubeTime.Format(now);
            StatusConditions.SetJob(status, "SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods", now);
            StatusConditions.SetJob(status, "Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods", now);
            _context.Events.Normal(_context.Jobs, job, Component, "Completed", "Job completed");
            return Write(job, status) | wrote;
        }

        var wanted = Math.Min(parallelism, completions - succeeded) - active.Count;
        if (wanted > 0)
        {
            var lastFailure = failedPods.Select(FinishedAt).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
            var retryAt = failedPods.Count == 0 ? now : lastFailure + _context.BackOffAfter(failedPods.Count);
            if (retryAt > now)
            {
                _context.Queue.AddAt(key, retryAt);
            }
            else
            {
                for (var i = 0; i < wanted && CreatePod(job) is { } pod; i++)
                {
                    active.Add(pod);
                    wrote = true;
                    _context.Events.Normal(_context.Jobs, job, Component, "SuccessfulCreate", $"Created pod: {pod.Name}");
                }
            }
        }

        SetCount(status, "active", active.Count);
        SetCount(status, "ready", active.Count(PodFacts.IsReady));
        status["terminating"] = 0;
        status["uncountedTerminatedPods"] ??= new JsonObject();
        return Write(job, status) | wrote;
    }

    private bool Fail(StoredObject job, JsonObject status, List<StoredObject> active, int failed, string reason, string message, DateTimeOffset now)
    {
        var wrote = Terminate(active);
        SetCount(status, "failed", failed + active.Count);
        status.Remove("active");
        status.Remove("ready");
        StatusConditions.SetJob(status, "FailureTarget", "True", reason, message, now);
        StatusConditions.SetJob(status, "Failed", "True", reason, message, now);
        _context.Events.Warning(_context.Jobs, job, Component, reason, message);
        return Write(job, status) | wrote;
    }

    private bool Terminate(List<StoredObject> pods)
    {
        var wrote = false;
        foreach (var pod in pods)
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
        }

        return wrote;
    }

    private StoredObject? CreatePod(StoredObject job)
    {
        var template = Json.At(job.Object, "spec", "template") as JsonObject ?? [];
        var labels = Json.At(template, "metadata", "labels")?.DeepClone() as JsonObject ?? [];
        labels["batch.kubernetes.io/controller-uid"] = job.Uid;
        labels["batch.kubernetes.io/job-name"] = job.Name;
        labels["controller-uid"] = job.Uid;
        labels["job-name"] = job.Name;
        var metadata = new JsonObject
        {
            ["generateName"] = job.Name + "-",
            ["namespace"] = job.Namespace,
            ["labels"] = labels,
            ["ownerReferences"] = OwnerReferences.ControlledBy(_context.Jobs, job),
        };
        if (Json.At(template, "metadata", "annotations") is JsonObject annotations)
        {
            metadata["annotations"] = annotations.DeepClone();
        }

        var body = new JsonObject { ["metadata"] = metadata, ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject() };
        try
        {
            return _context.Operations.Create(_context.Pods, job.Namespace, body, WriteOptions.Simulated("kube-controller-manager")).Object;
        }
        catch (ApiException)
        {
            _context.Queue.AddAt(new ObjectKey(Buckets.Jobs, job.Namespace, job.Name), _context.Time.GetUtcNow() + _context.BackOff);
            return null;
        }
    }

    private bool Write(StoredObject job, JsonObject status)
    {
        if (JsonNode.DeepEquals(job.Object["status"], status))
        {
            return false;
        }

        var next = job.Clone();
        next["status"] = status;
        var stored = _context.Operations.ReplaceInternal(_context.Jobs, job, next);
        if (stored is null)
        {
            _context.Queue.Add(new ObjectKey(Buckets.Jobs, job.Namespace, job.Name));
            return false;
        }

        return stored.ResourceVersion != job.ResourceVersion;
    }

    private static DateTimeOffset FinishedAt(StoredObject pod)
    {
        var finished = (Json.At(pod.Object, "status", "containerStatuses") as JsonArray ?? [])
            .Select(c => Json.String(c, "state", "terminated", "finishedAt"))
            .Where(t => t is not null)
            .Select(t => KubeTime.TryParse(t, out var at) ? at : DateTimeOffset.MinValue)
            .DefaultIfEmpty(DateTimeOffset.MinValue)
            .Max();
        return finished;
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
}
