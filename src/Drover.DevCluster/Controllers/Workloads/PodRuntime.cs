using System.Globalization;
using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;

namespace Drover.DevCluster.Controllers.Workloads;

/// <summary>
/// The simulated node <c>dev-node</c> and its kubelet: binds every pod to the node, starts its containers after the
/// start delay (or reports why they cannot start), and writes the pod status a kubelet would.
/// </summary>
internal sealed class PodRuntime
{
    public const string Component = "kubelet";
    public const string NodeName = "dev-node";
    public const string HostIp = "172.18.0.2";

    private readonly WorkloadContext _context;
    private readonly Dictionary<string, PodRun> _runs = new(StringComparer.Ordinal);
    private int _addresses;

    public PodRuntime(WorkloadContext context) => _context = context;

    public bool Sync(ObjectKey key, DateTimeOffset now)
    {
        var pod = _context.Get(key);
        if (pod is null || pod.Metadata["deletionTimestamp"] is not null)
        {
            return false;
        }

        if (!_runs.TryGetValue(pod.Uid, out var run))
        {
            if (PodFacts.Phase(pod) is "Succeeded" or "Failed")
            {
                return false;
            }

            run = new PodRun(_context, pod, NextAddress(), now);
            _runs[pod.Uid] = run;
        }

        var events = new PodEvents();
        run.Advance(now, events);
        foreach (var (warning, reason, message) in events.Pending)
        {
            if (warning)
            {
                _context.Events.Warning(_context.Pods, pod, Component, reason, message);
            }
            else
            {
                _context.Events.Normal(_context.Pods, pod, Component, reason, message);
            }
        }

        if (run.NextAt is { } next)
        {
            _context.Queue.AddAt(key, next);
        }

        var status = run.Render(now);
        var scheduled = Json.String(pod.Object, "spec", "nodeName") is { Length: > 0 };
        if (scheduled && JsonNode.DeepEquals(pod.Object["status"], status))
        {
            return false;
        }

        var updated = pod.Clone();
        if (!scheduled)
        {
            var spec = updated["spec"] as JsonObject ?? [];
            spec["nodeName"] = NodeName;
            updated["spec"] = spec;
        }

        updated["status"] = status;
        var stored = _context.Operations.ReplaceInternal(_context.Pods, pod, updated);
        if (stored is null)
        {
            _context.Queue.Add(key);
            return false;
        }

        return stored.ResourceVersion != pod.ResourceVersion;
    }

    public void Forget(string uid) => _runs.Remove(uid);

    /// <summary>Pod IPs from 10.244.0.0/16, as a single-node cluster's pod CIDR hands them out.</summary>
    private string NextAddress()
    {
        var n = _addresses++ % (254 * 256);
        return string.Create(CultureInfo.InvariantCulture, $"10.244.{n / 254}.{(n % 254) + 2}");
    }
}
