using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Storage;
using Drover.DevCluster.TestControls;

namespace Drover.DevCluster.Controllers.Workloads;

/// <summary>
/// One pod on the simulated node: its containers' runs, its IP, and the conditions a kubelet reports, rendered as the
/// status a real kubelet would write.
/// </summary>
internal sealed class PodRun
{
    private readonly WorkloadContext _context;
    private readonly List<ContainerRun> _containers = [];
    private readonly List<string> _initContainers = [];
    private readonly Dictionary<string, (string Status, DateTimeOffset Since)> _conditions = [];
    private readonly DateTimeOffset _startAt;
    private readonly string _podIp;
    private readonly DateTimeOffset _scheduledAt;

    public PodRun(WorkloadContext context, StoredObject pod, string podIp, DateTimeOffset now)
    {
        _context = context;
        _podIp = podIp;
        Identity = $"{pod.Name}_{pod.Namespace}({pod.Uid})";
        var spec = pod.Object["spec"] as JsonObject ?? [];
        RestartPolicy = Json.String(spec, "restartPolicy") ?? "Always";
        SecurityContext = spec["securityContext"] as JsonObject;
        var created = KubeTime.TryParse(Json.String(pod.Metadata, "creationTimestamp"), out var c) ? c : now;
        _scheduledAt = now;
        _startAt = (created > now ? created : now) + context.StartDelay;
        foreach (var container in (spec["containers"] as JsonArray ?? []).OfType<JsonObject>())
        {
            _containers.Add(new ContainerRun(this, container, _startAt));
        }

        foreach (var container in (spec["initContainers"] as JsonArray ?? []).OfType<JsonObject>())
        {
            _initContainers.Add(Json.String(container, "name") ?? string.Empty);
        }

        QosClass = Qos(spec);
    }

    /// <summary><c>name_namespace(uid)</c>, as kubelet messages name a pod.</summary>
    public string Identity { get; }

    public string RestartPolicy { get; }

    public JsonObject? SecurityContext { get; }

    public string QosClass { get; }

    public SimulatedImages Images => _context.Images;

    public TimeSpan StartDelay => _context.StartDelay;

    public TimeSpan BackOff => _context.BackOff;

    public DateTimeOffset? NextAt => _containers.Select(c => c.NextAt).Where(t => t is not null).Min();

    public TimeSpan BackOffAfter(int failures) => _context.BackOffAfter(failures);

    public void Advance(DateTimeOffset now, PodEvents events)
    {
        foreach (var container in _containers)
        {
            container.Advance(now, events);
        }
    }

    public JsonObject Render(DateTimeOffset now)
    {
        var started = now >= _startAt;
        var phase = Phase(started);
        var terminal = phase is "Succeeded" or "Failed";
        var unready = _containers.Where(c => !c.Ready).Select(c => c.Name).ToList();
        var status = new JsonObject { ["phase"] = phase };
        var conditions = new JsonArray
        {
            Condition("PodReadyToStartContainers", started && !terminal, null, null, now),
            Condition("Initialized", started || _initContainers.Count == 0, started || _initContainers.Count == 0 ? null : "ContainersNotInitialized",
                started || _initContainers.Count == 0 ? null : $"containers with incomplete status: [{string.Join(' ', _initContainers)}]", now),
            Condition("Ready", !terminal && unready.Count == 0, terminal ? "PodCompleted" : unready.Count > 0 ? "ContainersNotReady" : null,
                terminal || unready.Count == 0 ? null : $"containers with unready status: [{string.Join(' ', unready)}]", now),
            Condition("ContainersReady", !terminal && unready.Count == 0, terminal ? "PodCompleted" : unready.Count > 0 ? "ContainersNotReady" : null,
                terminal || unready.Count == 0 ? null : $"containers with unready status: [{string.Join(' ', unready)}]", now),
            Condition("PodScheduled", true, null, null, now),
        };
        status["conditions"] = conditions;
        status["hostIP"] = PodRuntime.HostIp;
        status["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = PodRuntime.HostIp });
        if (started)
        {
            status["podIP"] = _podIp;
            status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = _podIp });
        }

        status["startTime"] = KubeTime.Format(_scheduledAt);
        if (_initContainers.Count > 0)
        {
            var init = new JsonArray();
            foreach (var name in _initContainers)
            {
                init.Add(started
                    ? new JsonObject
                    {
                        ["name"] = name,
                        ["state"] = new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = 0, ["reason"] = "Completed", ["startedAt"] = KubeTime.Format(_startAt), ["finishedAt"] = KubeTime.Format(_startAt) } },
                        ["lastState"] = new JsonObject(),
                        ["ready"] = true,
                        ["restartCount"] = 0,
                    }
                    : new JsonObject
                    {
                        ["name"] = name,
                        ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "PodInitializing" } },
                        ["lastState"] = new JsonObject(),
                        ["ready"] = false,
                        ["restartCount"] = 0,
                    });
            }

            status["initContainerStatuses"] = init;
        }

        var containers = new JsonArray();
        foreach (var container in _containers)
        {
            containers.Add(container.Render(init: false));
        }

        status["containerStatuses"] = containers;
        status["qosClass"] = QosClass;
        return status;
    }

    private string Phase(bool started)
    {
        if (!started || _containers.Count == 0)
        {
            return "Pending";
        }

        if (_containers.All(c => c.State == ContainerState.Terminated))
        {
            return _containers.Any(c => c.ExitCode != 0) && RestartPolicy == "Never" ? "Failed" : "Succeeded";
        }

        return _containers.Any(c => c.State == ContainerState.Running || c.HasRun) ? "Running" : "Pending";
    }

    private JsonObject Condition(string type, bool value, string? reason, string? message, DateTimeOffset now)
    {
        var text = value ? "True" : "False";
        if (!_conditions.TryGetValue(type, out var current) || current.Status != text)
        {
            current = (text, now);
            _conditions[type] = current;
        }

        var condition = new JsonObject
        {
            ["type"] = type,
            ["status"] = text,
            ["lastProbeTime"] = null,
            ["lastTransitionTime"] = KubeTime.Format(current.Since),
        };
        if (reason is not null)
        {
            condition["reason"] = reason;
        }

        if (message is not null)
        {
            condition["message"] = message;
        }

        return condition;
    }

    /// <summary>BestEffort without any request or limit, Guaranteed when every container's limits equal its requests, else Burstable.</summary>
    private static string Qos(JsonObject spec)
    {
        var containers = (spec["containers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var any = false;
        var guaranteed = containers.Count > 0;
        foreach (var container in containers)
        {
            var requests = Json.At(container, "resources", "requests") as JsonObject;
            var limits = Json.At(container, "resources", "limits") as JsonObject;
            any |= requests is { Count: > 0 } || limits is { Count: > 0 };
            foreach (var resource in (string[])["cpu", "memory"])
            {
                var limit = Json.At(limits, resource)?.ToString();
                var request = Json.At(requests, resource)?.ToString() ?? limit;
                guaranteed &= limit is not null && request == limit;
            }
        }

        return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
    }
}

/// <summary>Where a pod's runs report the events a kubelet records for them.</summary>
internal sealed class PodEvents
{
    private readonly List<(bool Warning, string Reason, string Message)> _pending = [];

    public IReadOnlyList<(bool Warning, string Reason, string Message)> Pending => _pending;

    public void Normal(string reason, string message) => _pending.Add((false, reason, message));

    public void Warning(string reason, string message) => _pending.Add((true, reason, message));
}
