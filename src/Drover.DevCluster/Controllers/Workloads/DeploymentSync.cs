using System.Globalization;
using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Storage;
using Drover.DevCluster.Writes;

namespace Drover.DevCluster.Controllers.Workloads;

/// <summary>One pass of the deployment controller over one Deployment.</summary>
internal sealed class DeploymentSync
{
    private static readonly HashSet<string> NotCopiedAnnotations =
    [
        "kubectl.kubernetes.io/last-applied-configuration",
        DeploymentController.RevisionAnnotation,
        DeploymentController.RevisionHistoryAnnotation,
        DeploymentController.DesiredReplicasAnnotation,
        DeploymentController.MaxReplicasAnnotation,
        "deprecated.deployment.rollback.to",
    ];

    private readonly WorkloadContext _context;
    private readonly StoredObject _deployment;
    private readonly JsonObject _spec;
    private readonly string _hash;
    private readonly DateTimeOffset _now;
    private readonly int _replicas;
    private readonly RolloutBudget _budget;
    private readonly List<ReplicaSetView> _old = [];
    private ReplicaSetView? _new;
    private readonly JsonObject _status;
    private string? _revision;
    private bool _wrote;

    public DeploymentSync(WorkloadContext context, StoredObject deployment, string hash, DateTimeOffset now)
    {
        _context = context;
        _deployment = deployment;
        _spec = deployment.Object["spec"] as JsonObject ?? [];
        _hash = hash;
        _now = now;
        _replicas = (int)(Json.Integer(_spec, "replicas") ?? 1);
        _budget = RolloutBudget.Of(deployment.Object, _replicas);
        _status = deployment.Object["status"]?.DeepClone() as JsonObject ?? [];
        _revision = Json.String(deployment.Metadata, "annotations", DeploymentController.RevisionAnnotation);
    }

    private IEnumerable<ReplicaSetView> All => _new is null ? _old : _old.Append(_new);

    private bool Recreate => Json.String(_spec, "strategy", "type") == "Recreate";

    private long? ProgressDeadlineSeconds => Json.Integer(_spec, "progressDeadlineSeconds") is { } seconds && seconds != int.MaxValue ? seconds : null;

    public bool Run()
    {
        var template = _spec["template"];
        foreach (var set in _context.Owned(_deployment, Buckets.ReplicaSets))
        {
            var view = new ReplicaSetView(set);
            if (_new is null && view.HashLabel == _hash && view.TemplateMatches(template))
            {
                _new = view;
            }
            else
            {
                _old.Add(view);
            }
        }

        if (_new is null && _old.Where(v => v.TemplateMatches(template)).OrderBy(v => v.Created).ThenBy(v => v.Name, StringComparer.Ordinal).FirstOrDefault() is { } matching)
        {
            _old.Remove(matching);
            _new = matching;
        }

        if (CheckPaused())
        {
            SyncRevision(create: false);
            ScaleWhilePaused();
            Cleanup();
            return Commit(estimateProgress: false);
        }

        if (Recreate)
        {
            RolloutRecreate();
        }
        else
        {
            RolloutRolling();
        }

        return _wrote;
    }

    private void RolloutRolling()
    {
        SyncRevision(create: true);
        if (_new is null)
        {
            Commit(estimateProgress: true);
            return;
        }

        if (ReconcileNewReplicaSet() || ReconcileOldReplicaSets())
        {
            Commit(estimateProgress: true);
            return;
        }

        if (StoredStatusComplete())
        {
            Cleanup();
        }

        Commit(estimateProgress: true);
    }

    private void RolloutRecreate()
    {
        SyncRevision(create: false);
        var scaledDown = false;
        foreach (var old in _old.Where(o => o.SpecReplicas > 0).ToList())
        {
            scaledDown |= Scale(old, 0);
        }

        if (scaledDown || OldPodsRunning())
        {
            Commit(estimateProgress: true);
            return;
        }

        if (_new is null)
        {
            SyncRevision(create: true);
        }

        if (_new is not null)
        {
            Scale(_new, _replicas);
        }

        if (StoredStatusComplete())
        {
            Cleanup();
        }

        Commit(estimateProgress: true);
    }

    /// <summary>Records the paused or resumed Progressing condition; true while the Deployment is paused.</summary>
    private bool CheckPaused()
    {
        var paused = Json.At(_spec, "paused") is JsonValue v && v.TryGetValue<bool>(out var p) && p;
        if (ProgressDeadlineSeconds is null)
        {
            return paused;
        }

        var reason = Json.String(StatusConditions.Find(_status, "Progressing"), "reason");
        if (reason == "ProgressDeadlineExceeded")
        {
            return paused;
        }

        if (paused && reason != "DeploymentPaused")
        {
            StatusConditions.SetDeployment(_status, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", _now);
        }
        else if (!paused && reason == "DeploymentPaused")
        {
            StatusConditions.SetDeployment(_status, "Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed", _now);
        }

        return paused;
    }

    /// <summary>Keeps the new ReplicaSet's revision and annotations current, creating it when asked and missing.</summary>
    private void SyncRevision(bool create)
    {
        var maxOld = _old.Count == 0 ? 0 : _old.Max(o => o.Revision);
        var revision = maxOld + 1;
        if (_new is not null)
        {
            UpdateNewReplicaSetAnnotations(revision);
            _revision = _new.Revision.ToString(CultureInfo.InvariantCulture);
            if (ProgressDeadlineSeconds is not null && StatusConditions.Find(_status, "Progressing") is null)
            {
                StatusConditions.SetDeployment(_status, "Progressing", "True", "FoundNewReplicaSet", $"Found new replica set \"{_new.Name}\"", _now);
            }

            return;
        }

        if (!create)
        {
            return;
        }

        var replicas = NewReplicaSetReplicas(0);
        var template = (JsonObject)(_spec["template"]?.DeepClone() ?? new JsonObject());
        var templateMetadata = Json.Metadata(template);
        var labels = templateMetadata["labels"] as JsonObject ?? [];
        labels[PodTemplateHash.Label] = _hash;
        templateMetadata["labels"] = labels;
        var selector = _spec["selector"]?.DeepClone() as JsonObject ?? [];
        var matchLabels = selector["matchLabels"] as JsonObject ?? [];
        matchLabels[PodTemplateHash.Label] = _hash;
        selector["matchLabels"] = matchLabels;
        var annotations = CopiedAnnotations(null);
        annotations[DeploymentController.RevisionAnnotation] = revision.ToString(CultureInfo.InvariantCulture);
        annotations[DeploymentController.DesiredReplicasAnnotation] = _replicas.ToString(CultureInfo.InvariantCulture);
        annotations[DeploymentController.MaxReplicasAnnotation] = (_replicas + _budget.MaxSurge).ToString(CultureInfo.InvariantCulture);
        var spec = new JsonObject { ["replicas"] = replicas };
        if (Json.Integer(_spec, "minReadySeconds") is { } minReady and > 0)
        {
            spec["minReadySeconds"] = minReady;
        }

        spec["selector"] = selector;
        spec["template"] = template;
        var name = $"{_deployment.Name}-{_hash}";
        var body = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = _deployment.Namespace,
                ["labels"] = labels.DeepClone(),
                ["annotations"] = annotations,
                ["ownerReferences"] = OwnerReferences.ControlledBy(_context.Deployments, _deployment),
            },
            ["spec"] = spec,
        };
        try
        {
            var created = _context.Operations.Create(_context.ReplicaSets, _deployment.Namespace, body, WriteOptions.Simulated("kube-controller-manager")).Object;
            _new = new ReplicaSetView(created);
            _wrote = true;
            _revision = revision.ToString(CultureInfo.InvariantCulture);
            if (ProgressDeadlineSeconds is not null)
            {
                StatusConditions.SetDeployment(_status, "Progressing", "True", "NewReplicaSetCreated", $"Created new replica set \"{name}\"", _now);
            }

            if (replicas > 0)
            {
                _context.Events.Normal(_context.Deployments, _deployment, DeploymentController.Component, "ScalingReplicaSet", $"Scaled up replica set {name} from 0 to {replicas}");
            }
        }
        catch (ApiException e) when (e.Code is 403 or 404)
        {
            // A terminating namespace takes no new ReplicaSet; the Deployment goes with it, or is looked at again.
            _context.Queue.AddAt(new ObjectKey(Buckets.Deployments, _deployment.Namespace, _deployment.Name), _now + _context.BackOff);
        }
        catch (ApiException e) when (e.Code == 409 && e.Reason == "AlreadyExists")
        {
            // Another template hashed to this name (or an unowned ReplicaSet holds it): count the collision, which
            // changes the hash the next pass uses, as the deployment controller does.
            _status["collisionCount"] = (Json.Integer(_status, "collisionCount") ?? 0) + 1;
            _context.Queue.Add(new ObjectKey(Buckets.Deployments, _deployment.Namespace, _deployment.Name));
        }
    }

    private void UpdateNewReplicaSetAnnotations(long revision)
    {
        var set = _new!;
        var current = set.Stored.Metadata["annotations"] as JsonObject;
        var annotations = CopiedAnnotations(current);
        var existing = set.Revision;
        if (existing < revision)
        {
            annotations[DeploymentController.RevisionAnnotation] = revision.ToString(CultureInfo.InvariantCulture);
            if (existing > 0)
            {
                var history = Json.String(annotations, DeploymentController.RevisionHistoryAnnotation);
                annotations[DeploymentController.RevisionHistoryAnnotation] = string.IsNullOrEmpty(history)
                    ? existing.ToString(CultureInfo.InvariantCulture)
                    : $"{history},{existing.ToString(CultureInfo.InvariantCulture)}";
            }
        }

        if (Json.String(annotations, DeploymentController.RevisionAnnotation) is null)
        {
            annotations[DeploymentController.RevisionAnnotation] = revision.ToString(CultureInfo.InvariantCulture);
            annotations[DeploymentController.DesiredReplicasAnnotation] = _replicas.ToString(CultureInfo.InvariantCulture);
            annotations[DeploymentController.MaxReplicasAnnotation] = (_replicas + _budget.MaxSurge).ToString(CultureInfo.InvariantCulture);
        }

        var minReady = Json.Integer(_spec, "minReadySeconds") ?? 0;
        var minReadyChanged = (Json.Integer(set.Stored.Object, "spec", "minReadySeconds") ?? 0) != minReady;
        if (!minReadyChanged && JsonNode.DeepEquals(current, annotations))
        {
            // The usual case: nothing to carry over, so no copy of the ReplicaSet is made.
            return;
        }

        var next = set.Stored.Clone();
        var metadata = Json.Metadata(next);
        metadata["annotations"] = annotations;
        if (minReadyChanged && next["spec"] is JsonObject spec)
        {
            if (minReady > 0)
            {
                spec["minReadySeconds"] = minReady;
            }
            else
            {
                spec.Remove("minReadySeconds");
            }

            metadata["generation"] = (Json.Integer(metadata, "generation") ?? 1) + 1;
        }

        Write(set, next);
    }

    /// <summary>The Deployment's annotations a ReplicaSet carries, over the ReplicaSet's own (revision bookkeeping kept).</summary>
    private JsonObject CopiedAnnotations(JsonObject? existing)
    {
        var annotations = existing?.DeepClone() as JsonObject ?? [];
        if (_deployment.Metadata["annotations"] is JsonObject source)
        {
            foreach (var (key, value) in source)
            {
                if (!NotCopiedAnnotations.Contains(key))
                {
                    annotations[key] = value?.DeepClone();
                }
            }
        }

        return annotations;
    }

    /// <summary>How many pods the new ReplicaSet may have now (NewRSNewReplicas).</summary>
    private int NewReplicaSetReplicas(int current)
    {
        if (Recreate)
        {
            return _replicas;
        }

        var pods = All.Sum(s => s.SpecReplicas) - (_new?.SpecReplicas ?? 0) + current;
        var ceiling = _replicas + _budget.MaxSurge;
        if (pods >= ceiling)
        {
            return current;
        }

        return current + Math.Min(ceiling - pods, _replicas - current);
    }

    private bool ReconcileNewReplicaSet()
    {
        var set = _new!;
        if (set.SpecReplicas == _replicas)
        {
            return false;
        }

        return set.SpecReplicas > _replicas ? Scale(set, _replicas) : Scale(set, NewReplicaSetReplicas(set.SpecReplicas));
    }

    private bool ReconcileOldReplicaSets()
    {
        var active = _old.Where(o => o.SpecReplicas > 0).OrderBy(o => o.Created).ThenBy(o => o.Name, StringComparer.Ordinal).ToList();
        if (active.Count == 0)
        {
            return false;
        }

        var allPods = All.Sum(s => s.SpecReplicas);
        var minAvailable = _replicas - _budget.MaxUnavailable;
        var newUnavailable = _new!.SpecReplicas - _new.AvailableReplicas;
        var maxScaledDown = allPods - minAvailable - newUnavailable;
        if (maxScaledDown <= 0)
        {
            return false;
        }

        // Unhealthy old pods go first: removing them costs no availability.
        var cleaned = 0;
        foreach (var set in active)
        {
            if (cleaned >= maxScaledDown)
            {
                break;
            }

            if (set.SpecReplicas == 0 || set.SpecReplicas == set.AvailableReplicas)
            {
                continue;
            }

            var count = Math.Min(maxScaledDown - cleaned, set.SpecReplicas - set.AvailableReplicas);
            Scale(set, set.SpecReplicas - count);
            cleaned += count;
        }

        var available = All.Sum(s => s.AvailableReplicas);
        var scaledDown = 0;
        if (available > minAvailable)
        {
            var budget = available - minAvailable;
            foreach (var set in active)
            {
                if (scaledDown >= budget)
                {
                    break;
                }

                if (set.SpecReplicas == 0)
                {
                    continue;
                }

                var count = Math.Min(set.SpecReplicas, budget - scaledDown);
                Scale(set, set.SpecReplicas - count);
                scaledDown += count;
            }
        }

        return cleaned + scaledDown > 0;
    }

    /// <summary>A paused Deployment still follows its replicas when a single ReplicaSet is active.</summary>
    private void ScaleWhilePaused()
    {
        var active = All.Where(s => s.SpecReplicas > 0).ToList();
        var target = active.Count switch
        {
            0 => _new ?? _old.OrderByDescending(o => o.Revision).FirstOrDefault(),
            1 => active[0],
            _ => null,
        };
        if (target is not null)
        {
            Scale(target, _replicas);
        }
    }

    private bool OldPodsRunning()
    {
        if (_old.Sum(o => o.StatusReplicas) > 0)
        {
            return true;
        }

        return _old.Any(o => _context.Owned(o.Stored, Buckets.Pods).Any(p => Json.String(p.Object, "status", "phase") is not ("Succeeded" or "Failed")));
    }

    /// <summary>Deletes the oldest fully scaled-down revisions beyond revisionHistoryLimit.</summary>
    private void Cleanup()
    {
        if (Json.Integer(_spec, "revisionHistoryLimit") is not { } limit)
        {
            return;
        }

        var alive = _old.Where(o => o.Stored.Metadata["deletionTimestamp"] is null).OrderBy(o => o.Revision).ThenBy(o => o.Name, StringComparer.Ordinal).ToList();
        var excess = alive.Count - (int)limit;
        for (var i = 0; i < excess; i++)
        {
            var set = alive[i];
            if (set.StatusReplicas != 0 || set.SpecReplicas != 0 || set.Generation > set.ObservedGeneration)
            {
                continue;
            }

            try
            {
                _context.Operations.Delete(_context.ReplicaSets, set.Stored.Namespace, set.Name, new DeleteRequest { PreconditionUid = set.Stored.Uid });
                _old.Remove(set);
                _wrote = true;
            }
            catch (ApiException e) when (e.Code is 404 or 409)
            {
                // Gone or changed meanwhile; the next pass looks again.
            }
        }
    }

    /// <summary>Sets a ReplicaSet's replicas (and the replicas annotations); true when its size changed.</summary>
    private bool Scale(ReplicaSetView set, int replicas)
    {
        var desired = _replicas.ToString(CultureInfo.InvariantCulture);
        var max = (_replicas + _budget.MaxSurge).ToString(CultureInfo.InvariantCulture);
        var resize = set.SpecReplicas != replicas;
        var annotations = set.Stored.Metadata["annotations"] as JsonObject;
        if (!resize)
        {
            return false;
        }

        var next = set.Stored.Clone();
        var metadata = Json.Metadata(next);
        var updated = annotations?.DeepClone() as JsonObject ?? [];
        updated[DeploymentController.DesiredReplicasAnnotation] = desired;
        updated[DeploymentController.MaxReplicasAnnotation] = max;
        metadata["annotations"] = updated;
        metadata["generation"] = (Json.Integer(metadata, "generation") ?? 1) + 1;
        var spec = next["spec"] as JsonObject ?? [];
        spec["replicas"] = replicas;
        next["spec"] = spec;
        var from = set.SpecReplicas;
        if (!Write(set, next))
        {
            return false;
        }

        var direction = replicas > from ? "up" : "down";
        _context.Events.Normal(_context.Deployments, _deployment, DeploymentController.Component, "ScalingReplicaSet", $"Scaled {direction} replica set {set.Name} from {from} to {replicas}");
        return true;
    }

    private bool Write(ReplicaSetView set, JsonObject next)
    {
        var stored = _context.Operations.ReplaceInternal(_context.ReplicaSets, set.Stored, next);
        if (stored is null)
        {
            // The ReplicaSet moved on under us; look at the whole Deployment again.
            _context.Queue.Add(new ObjectKey(Buckets.Deployments, _deployment.Namespace, _deployment.Name));
            return false;
        }

        if (stored.ResourceVersion != set.Stored.ResourceVersion)
        {
            _wrote = true;
            set.Stored = stored;
        }

        return true;
    }

    private bool StoredStatusComplete() => Complete(_deployment.Object["status"] as JsonObject ?? []);

    private bool Complete(JsonObject status) =>
        (Json.Integer(status, "updatedReplicas") ?? 0) == _replicas
        && (Json.Integer(status, "replicas") ?? 0) == _replicas
        && (Json.Integer(status, "availableReplicas") ?? 0) == _replicas
        && (Json.Integer(status, "observedGeneration") ?? 0) >= (Json.Integer(_deployment.Metadata, "generation") ?? 0);

    /// <summary>Writes the status computed from the ReplicaSets (with the Progressing estimate during a rollout).</summary>
    private bool Commit(bool estimateProgress)
    {
        var old = _deployment.Object["status"] as JsonObject ?? [];
        var status = CalculateStatus();
        var progressing = StatusConditions.Find(status, "Progressing");
        if (estimateProgress && ProgressDeadlineSeconds is null)
        {
            StatusConditions.Remove(status, "Progressing");
        }
        else if (estimateProgress && ProgressDeadlineSeconds is { } deadline)
        {
            var complete = (Json.Integer(status, "replicas") ?? 0) == (Json.Integer(status, "updatedReplicas") ?? 0)
                && Json.String(progressing, "reason") == "NewReplicaSetAvailable";
            if (!complete)
            {
                var name = _new?.Name;
                if (Complete(status))
                {
                    StatusConditions.SetDeployment(status, "Progressing", "True", "NewReplicaSetAvailable",
                        name is null ? $"Deployment \"{_deployment.Name}\" has successfully progressed." : $"ReplicaSet \"{name}\" has successfully progressed.", _now);
                }
                else if (MadeProgress(old, status))
                {
                    var transition = Json.String(progressing, "status") == "True" ? Json.String(progressing, "lastTransitionTime") : null;
                    StatusConditions.Remove(status, "Progressing");
                    StatusConditions.SetDeployment(status, "Progressing", "True", "ReplicaSetUpdated",
                        name is null ? $"Deployment \"{_deployment.Name}\" is progressing." : $"ReplicaSet \"{name}\" is progressing.", _now);
                    if (transition is not null)
                    {
                        StatusConditions.Find(status, "Progressing")!["lastTransitionTime"] = transition;
                    }
                }
                else if (TimedOut(status, deadline))
                {
                    StatusConditions.SetDeployment(status, "Progressing", "False", "ProgressDeadlineExceeded",
                        name is null ? $"Deployment \"{_deployment.Name}\" has timed out progressing." : $"ReplicaSet \"{name}\" has timed out progressing.", _now);
                }

                ScheduleDeadlineCheck(status, deadline);
            }
        }

        var revisionChanged = _revision is not null && _revision != Json.String(_deployment.Metadata, "annotations", DeploymentController.RevisionAnnotation);
        if (!revisionChanged && JsonNode.DeepEquals(old, status))
        {
            return _wrote;
        }

        var next = _deployment.Clone();
        if (revisionChanged)
        {
            var metadata = Json.Metadata(next);
            var annotations = metadata["annotations"] as JsonObject ?? [];
            annotations[DeploymentController.RevisionAnnotation] = _revision;
            metadata["annotations"] = annotations;
        }

        next["status"] = status;
        var stored = _context.Operations.ReplaceInternal(_context.Deployments, _deployment, next);
        if (stored is null)
        {
            _context.Queue.Add(new ObjectKey(Buckets.Deployments, _deployment.Namespace, _deployment.Name));
            return _wrote;
        }

        return true;
    }

    private JsonObject CalculateStatus()
    {
        var all = All.ToList();
        var available = all.Sum(s => s.AvailableReplicas);
        var total = all.Sum(s => s.SpecReplicas);
        var status = new JsonObject();
        SetCount(status, "observedGeneration", Json.Integer(_deployment.Metadata, "generation") ?? 0);
        SetCount(status, "replicas", all.Sum(s => s.StatusReplicas));
        SetCount(status, "updatedReplicas", _new?.StatusReplicas ?? 0);
        SetCount(status, "readyReplicas", all.Sum(s => s.ReadyReplicas));
        SetCount(status, "availableReplicas", available);
        SetCount(status, "unavailableReplicas", Math.Max(0, total - available));
        if (_status["conditions"] is JsonArray conditions)
        {
            status["conditions"] = conditions.DeepClone();
        }

        if (_status["collisionCount"] is { } collisions)
        {
            status["collisionCount"] = collisions.DeepClone();
        }

        if (available >= _replicas - _budget.MaxUnavailable)
        {
            StatusConditions.SetDeployment(status, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", _now);
        }
        else
        {
            StatusConditions.SetDeployment(status, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", _now);
        }

        return status;
    }

    private static bool MadeProgress(JsonObject old, JsonObject status)
    {
        long Get(JsonObject s, string field) => Json.Integer(s, field) ?? 0;
        return Get(status, "updatedReplicas") > Get(old, "updatedReplicas")
            || Get(status, "readyReplicas") > Get(old, "readyReplicas")
            || Get(status, "availableReplicas") > Get(old, "availableReplicas")
            || Get(old, "replicas") - Get(old, "updatedReplicas") > Get(status, "replicas") - Get(status, "updatedReplicas");
    }

    private bool TimedOut(JsonObject status, long deadline)
    {
        var condition = StatusConditions.Find(status, "Progressing");
        if (condition is null || Json.String(condition, "reason") == "NewReplicaSetAvailable")
        {
            return false;
        }

        if (Json.String(condition, "reason") == "ProgressDeadlineExceeded")
        {
            return true;
        }

        return KubeTime.TryParse(Json.String(condition, "lastUpdateTime"), out var from) && from.AddSeconds(deadline) < _now;
    }

    /// <summary>A rollout that is neither done nor failed is looked at again when its deadline would pass.</summary>
    private void ScheduleDeadlineCheck(JsonObject status, long deadline)
    {
        var condition = StatusConditions.Find(status, "Progressing");
        if (Json.String(condition, "reason") is "NewReplicaSetAvailable" or "ProgressDeadlineExceeded" or null
            || !KubeTime.TryParse(Json.String(condition, "lastUpdateTime"), out var from))
        {
            return;
        }

        _context.Queue.AddAt(new ObjectKey(Buckets.Deployments, _deployment.Namespace, _deployment.Name), from.AddSeconds(deadline + 1));
    }

    private static void SetCount(JsonObject status, string field, long value)
    {
        if (value != 0)
        {
            status[field] = value;
        }
    }
}
