using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Resources;

namespace Drover.DevCluster.Tables;

/// <summary>The server-side printer columns of built-in kinds, modelled on the real API server's printers.</summary>
internal static class BuiltinColumns
{
    public static IReadOnlyList<(PrinterColumn Column, Func<JsonObject, DateTimeOffset, JsonNode?> Cell)> For(ResourceType type) =>
        (type.Group, type.Plural) switch
        {
            ("apps", "deployments") =>
            [
                (Col("Ready", "string", "Number of the pod with ready state"), (o, _) => $"{Int(o, "status", "readyReplicas")}/{Int(o, "spec", "replicas")}"),
                (Col("Up-to-date", "integer", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."), (o, _) => Int(o, "status", "updatedReplicas")),
                (Col("Available", "integer", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."), (o, _) => Int(o, "status", "availableReplicas")),
                (Age(), AgeCell),
                (Col("Containers", "string", "Names of each container in the template.", 1), (o, _) => Containers(o, "name")),
                (Col("Images", "string", "Images referenced by each container in the template.", 1), (o, _) => Containers(o, "image")),
                (Col("Selector", "string", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", 1),
                    (o, _) => Selectors.LabelSelector.FromObject(Json.At(o, "spec", "selector") as JsonObject).ToString()),
            ],
            ("", "pods") => WorkloadColumns.Pods,
            ("apps", "replicasets") => WorkloadColumns.ReplicaSets,
            ("", "persistentvolumes") => VolumeColumns.Volumes,
            ("", "persistentvolumeclaims") => VolumeColumns.Claims,
            ("", "namespaces") =>
            [
                (Col("Status", "string", "The status of the namespace"), (o, _) => Json.String(o, "status", "phase") ?? "Active"),
                (Age(), AgeCell),
            ],
            ("", "configmaps") =>
            [
                (Col("Data", "string", "Number of data in the configmap"), (o, _) => ((o["data"] as JsonObject)?.Count ?? 0) + ((o["binaryData"] as JsonObject)?.Count ?? 0)),
                (Age(), AgeCell),
            ],
            ("", "secrets") =>
            [
                (Col("Type", "string", "The type of the secret"), (o, _) => Json.String(o, "type") ?? "Opaque"),
                (Col("Data", "string", "Number of data in the secret"), (o, _) => (o["data"] as JsonObject)?.Count ?? 0),
                (Age(), AgeCell),
            ],
            ("", "services") =>
            [
                (Col("Type", "string", "The type of the service"), (o, _) => Json.String(o, "spec", "type") ?? "ClusterIP"),
                (Col("Cluster-IP", "string", "The cluster IP of the service"), (o, _) => Json.String(o, "spec", "clusterIP") ?? "<none>"),
                (Age(), AgeCell),
            ],
            ("batch", "jobs") =>
            [
                (Col("Status", "string", "Status of the job."), (o, _) => JobStatus(o)),
                (Col("Completions", "string", "The desired number of successfully finished pods the job should be run with."), (o, _) => $"{Int(o, "status", "succeeded")}/{Json.Integer(o, "spec", "completions") ?? 1}"),
                (Age(), AgeCell),
            ],
            ("batch", "cronjobs") =>
            [
                (Col("Schedule", "string", "The schedule in Cron format"), (o, _) => Json.String(o, "spec", "schedule")),
                (Col("Suspend", "boolean", "Whether the cron job is suspended"), (o, _) => Json.At(o, "spec", "suspend")?.GetValue<bool>() ?? false),
                (Col("Active", "integer", "Number of currently running jobs"), (o, _) => (Json.At(o, "status", "active") as JsonArray)?.Count ?? 0),
                (Age(), AgeCell),
            ],
            ("apiextensions.k8s.io", "customresourcedefinitions") =>
            [
                (new PrinterColumn("Created At", "date", null, "Time when the resource was created", 0, ".metadata.creationTimestamp"), (o, _) => Json.String(o, "metadata", "creationTimestamp")),
            ],
            _ => [(Age(), AgeCell)],
        };

    internal static PrinterColumn Col(string name, string type, string description, int priority = 0) =>
        new(name, type, null, description, priority, string.Empty);

    internal static PrinterColumn Age() =>
        Col("Age", "string", "CreationTimestamp is a timestamp representing the server time when this object was created.");

    internal static JsonNode? AgeCell(JsonObject obj, DateTimeOffset now) =>
        KubeTime.TryParse(Json.String(obj, "metadata", "creationTimestamp"), out var created) ? HumanDuration.Format(now - created) : "<unknown>";

    private static long Int(JsonObject obj, params string[] path) => Json.Integer(obj, path) ?? 0;

    internal static string Containers(JsonObject obj, string field) =>
        string.Join(",", (Json.At(obj, "spec", "template", "spec", "containers") as JsonArray ?? []).Select(c => Json.String(c, field)));

    private static string JobStatus(JsonObject obj)
    {
        var conditions = Json.At(obj, "status", "conditions") as JsonArray ?? [];
        bool Has(string type) => conditions.Any(c => Json.String(c, "type") == type && Json.String(c, "status") == "True");
        return Has("Complete") ? "Complete" : Has("Failed") ? "Failed" : "Running";
    }
}
