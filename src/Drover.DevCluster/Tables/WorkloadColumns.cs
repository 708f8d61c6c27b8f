using System.Globalization;
using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Resources;
using static Drover.DevCluster.Tables.BuiltinColumns;

namespace Drover.DevCluster.Tables;

/// <summary>The columns <c>kubectl get pods</c> and <c>kubectl get rs</c> print, computed as the API server's printers do.</summary>
internal static class WorkloadColumns
{
    public static IReadOnlyList<(PrinterColumn Column, Func<JsonObject, DateTimeOffset, JsonNode?> Cell)> Pods { get; } =
    [
        (Col("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."), (o, _) => PodRow(o, default).Ready),
        (Col("Status", "string", "The aggregate status of the containers in this pod."), (o, _) => PodRow(o, default).Status),
        (Col("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."), (o, now) => PodRow(o, now).Restarts),
        (Age(), AgeCell),
        (Col("IP", "string", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", 1),
            (o, _) => (Json.At(o, "status", "podIPs") as JsonArray)?.FirstOrDefault() is { } ip ? Json.String(ip, "ip") : Json.String(o, "status", "podIP") ?? "<none>"),
        (Col("Node", "string", "NodeName indicates in which node this pod is scheduled.", 1), (o, _) => Json.String(o, "spec", "nodeName") is { Length: > 0 } node ? node : "<none>"),
        (Col("Nominated Node", "string", "nominatedNodeName is set only when this pod preempts other pods on the node.", 1),
            (o, _) => Json.String(o, "status", "nominatedNodeName") is { Length: > 0 } node ? node : "<none>"),
        (Col("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness.", 1), (o, _) => ReadinessGates(o)),
    ];

    public static IReadOnlyList<(PrinterColumn Column, Func<JsonObject, DateTimeOffset, JsonNode?> Cell)> ReplicaSets { get; } =
    [
        (Col("Desired", "integer", "Replicas is the number of desired pods."), (o, _) => Json.Integer(o, "spec", "replicas") ?? 1),
        (Col("Current", "integer", "Replicas is the most recently observed number of non-terminating pods."), (o, _) => Json.Integer(o, "status", "replicas") ?? 0),
        (Col("Ready", "integer", "The number of ready replicas for this replica set."), (o, _) => Json.Integer(o, "status", "readyReplicas") ?? 0),
        (Age(), AgeCell),
        (Col("Containers", "string", "Names of each container in the template.", 1), (o, _) => Containers(o, "name")),
        (Col("Images", "string", "Images referenced by each container in the template.", 1), (o, _) => Containers(o, "image")),
        (Col("Selector", "string", "Selector is a label query over pods that should match the replica count.", 1),
            (o, _) => Selectors.LabelSelector.FromObject(Json.At(o, "spec", "selector") as JsonObject).ToString()),
    ];

    /// <summary>Ready, Status and Restarts as printPod computes them: the waiting or terminated reason wins over the phase.</summary>
    private static (string Ready, string Status, string Restarts) PodRow(JsonObject pod, DateTimeOffset now)
    {
        var reason = Json.String(pod, "status", "reason") ?? Json.String(pod, "status", "phase") ?? string.Empty;
        var total = (Json.At(pod, "spec", "containers") as JsonArray)?.Count ?? 0;
        var ready = 0;
        var restarts = 0L;
        DateTimeOffset? lastRestart = null;
        var running = false;
        var statuses = Json.At(pod, "status", "containerStatuses") as JsonArray ?? [];
        for (var i = statuses.Count - 1; i >= 0; i--)
        {
            var container = statuses[i];
            restarts += Json.Integer(container, "restartCount") ?? 0;
            if (KubeTime.TryParse(Json.String(container, "lastState", "terminated", "finishedAt"), out var finished) && (lastRestart is null || finished > lastRestart))
            {
                lastRestart = finished;
            }

            if (Json.String(container, "state", "waiting", "reason") is { Length: > 0 } waiting)
            {
                reason = waiting;
            }
            else if (Json.At(container, "state", "terminated") is JsonObject terminated)
            {
                reason = Json.String(terminated, "reason") is { Length: > 0 } why ? why
                    : Json.Integer(terminated, "signal") is { } signal and not 0 ? $"Signal:{signal}"
                    : $"ExitCode:{Json.Integer(terminated, "exitCode") ?? 0}";
            }
            else if (Json.At(container, "ready") is JsonValue r && r.TryGetValue<bool>(out var isReady) && isReady && Json.At(container, "state", "running") is not null)
            {
                running = true;
                ready++;
            }
        }

        if (reason == "Completed" && running)
        {
            reason = (Json.At(pod, "status", "conditions") as JsonArray ?? []).Any(c => Json.String(c, "type") == "Ready" && Json.String(c, "status") == "True") ? "Running" : "NotReady";
        }

        if (Json.At(pod, "metadata", "deletionTimestamp") is not null && Json.String(pod, "status", "phase") is not ("Succeeded" or "Failed"))
        {
            reason = "Terminating";
        }

        var restartText = restarts.ToString(CultureInfo.InvariantCulture);
        if (restarts != 0 && lastRestart is { } last)
        {
            restartText = $"{restartText} ({HumanDuration.Format(now - last)} ago)";
        }

        return ($"{ready}/{total}", reason, restartText);
    }

    private static string ReadinessGates(JsonObject pod)
    {
        var gates = Json.At(pod, "spec", "readinessGates") as JsonArray ?? [];
        if (gates.Count == 0)
        {
            return "<none>";
        }

        var conditions = Json.At(pod, "status", "conditions") as JsonArray ?? [];
        var met = gates.Count(g => conditions.Any(c => Json.String(c, "type") == Json.String(g, "conditionType") && Json.String(c, "status") == "True"));
        return $"{met}/{gates.Count}";
    }
}
