using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;

namespace Drover.DevCluster.Controllers.Workloads;

/// <summary>The condition bookkeeping of the workload controllers, each with the timestamps its kind carries.</summary>
internal static class StatusConditions
{
    public static JsonObject? Find(JsonObject status, string type) =>
        (status["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => Json.String(c, "type") == type);

    public static void Remove(JsonObject status, string type)
    {
        if (status["conditions"] is JsonArray conditions && Find(status, type) is { } existing)
        {
            conditions.Remove(existing);
            if (conditions.Count == 0)
            {
                status.Remove("conditions");
            }
        }
    }

    /// <summary>
    /// A Deployment condition as the deployment controller sets one: nothing changes when status and reason are the
    /// same; otherwise it moves to the end with fresh times, keeping lastTransitionTime when only the reason changed.
    /// </summary>
    public static void SetDeployment(JsonObject status, string type, string value, string reason, string message, DateTimeOffset now)
    {
        var current = Find(status, type);
        if (current is not null && Json.String(current, "status") == value && Json.String(current, "reason") == reason)
        {
            return;
        }

        var stamp = KubeTime.Format(now);
        var transition = current is not null && Json.String(current, "status") == value ? Json.String(current, "lastTransitionTime") ?? stamp : stamp;
        Remove(status, type);
        Append(status, new JsonObject
        {
            ["type"] = type,
            ["status"] = value,
            ["lastUpdateTime"] = stamp,
            ["lastTransitionTime"] = transition,
            ["reason"] = reason,
            ["message"] = message,
        });
    }

    /// <summary>A Job condition: lastProbeTime and lastTransitionTime, refreshed only when the status changes.</summary>
    public static void SetJob(JsonObject status, string type, string value, string reason, string message, DateTimeOffset now)
    {
        var current = Find(status, type);
        if (current is not null && Json.String(current, "status") == value && Json.String(current, "reason") == reason && Json.String(current, "message") == message)
        {
            return;
        }

        var stamp = KubeTime.Format(now);
        var fresh = new JsonObject
        {
            ["type"] = type,
            ["status"] = value,
            ["lastProbeTime"] = stamp,
            ["lastTransitionTime"] = current is not null && Json.String(current, "status") == value ? Json.String(current, "lastTransitionTime") ?? stamp : stamp,
            ["reason"] = reason,
            ["message"] = message,
        };
        if (current is not null && status["conditions"] is JsonArray conditions)
        {
            conditions[conditions.IndexOf(current)] = fresh;
            return;
        }

        Append(status, fresh);
    }

    public static bool IsTrue(JsonNode? status, string type) =>
        (Json.At(status, "conditions") as JsonArray)?.Any(c => Json.String(c, "type") == type && Json.String(c, "status") == "True") == true;

    private static void Append(JsonObject status, JsonObject condition)
    {
        if (status["conditions"] is not JsonArray conditions)
        {
            conditions = [];
            status["conditions"] = conditions;
        }

        conditions.Add(condition);
    }
}
