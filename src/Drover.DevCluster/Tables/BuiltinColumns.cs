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
                (Col("Type", "string", "type determines how the Service is exposed."), (o, _) => Json.String(o, "spec", "type") ?? string.Empty),
                (Col("Cluster-IP", "string", "clusterIP is the IP address of the service and is usually assigned randomly."),
                    (o, _) => Json.Strings(Json.At(o, "spec", "clusterIPs")) is [var ip, ..] ? ip : "<none>"),
                (Col("External-IP", "string", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."), (o, _) => ServiceExternalIp(o)),
                (Col("Port(s)", "string", "The list of ports that are exposed by this service."), (o, _) => ServicePorts(o)),
                (Age(), AgeCell),
                (Col("Selector", "string", "Route service traffic to pods with label keys and values matching this selector.", 1), (o, _) => Labels(Json.At(o, "spec", "selector") as JsonObject)),
            ],
            ("", "serviceaccounts") =>
            [
                (Col("Secrets", "string", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."),
                    (o, _) => (Json.At(o, "secrets") as JsonArray)?.Count ?? 0),
                (Age(), AgeCell),
            ],
            ("", "persistentvolumeclaims") =>
            [
                (Col("Status", "string", "Phase represents the current phase of PersistentVolumeClaim."),
                    (o, _) => Json.At(o, "metadata", "deletionTimestamp") is not null ? "Terminating" : Json.String(o, "status", "phase") ?? string.Empty),
                (Col("Volume", "string", "volumeName is the binding reference to the PersistentVolume backing this claim."), (o, _) => Json.String(o, "spec", "volumeName") ?? string.Empty),
                (Col("Capacity", "string", "capacity represents the actual resources of the underlying volume."), (o, _) => ClaimBound(o) ? Json.String(o, "status", "capacity", "storage") ?? string.Empty : string.Empty),
                (Col("Access Modes", "string", "accessModes contains the actual access modes the volume backing the PVC has."), (o, _) => ClaimBound(o) ? AccessModes(o) : string.Empty),
                (Col("StorageClass", "string", "storageClassName is the name of the StorageClass required by the claim."),
                    (o, _) => Json.String(o, "spec", "storageClassName") ?? Json.String(o, "metadata", "annotations", "volume.beta.kubernetes.io/storage-class") ?? string.Empty),
                (Col("VolumeAttributesClass", "string", "volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim."),
                    (o, _) => Json.String(o, "spec", "volumeAttributesClassName") is { Length: > 0 } name ? name : "<unset>"),
                (Age(), AgeCell),
                (Col("VolumeMode", "string", "volumeMode defines what type of volume is required by the claim.", 1), (o, _) => Json.String(o, "spec", "volumeMode") ?? "<unset>"),
            ],
            ("networking.k8s.io", "networkpolicies") =>
            [
                (Col("Pod-Selector", "string", "podSelector selects the pods to which this NetworkPolicy object applies."),
                    (o, _) => Selectors.LabelSelector.FromObject(Json.At(o, "spec", "podSelector") as JsonObject).ToString() is { Length: > 0 } selector ? selector : "<none>"),
                (Age(), AgeCell),
            ],
            ("", "events") => EventColumns(o => o),
            ("events.k8s.io", "events") => EventColumns(Events.EventConversion.ToCore),
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

    /// <summary>Events print without the leading Name column; their name is the last, wide-only column.</summary>
    public static bool LeadsWithName(ResourceType type) => type.Plural != "events" || type.Group is not ("" or "events.k8s.io");

    /// <summary>The real event printer's columns, over the core form (events.k8s.io Events print the same).</summary>
    private static IReadOnlyList<(PrinterColumn, Func<JsonObject, DateTimeOffset, JsonNode?>)> EventColumns(Func<JsonObject, JsonObject> core) =>
    [
        (Col("Last Seen", "string", "The time at which the most recent occurrence of this event was recorded."), (o, now) => EventTimes(core(o), now).Last),
        (Col("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future"), (o, _) => Json.String(core(o), "type") ?? string.Empty),
        (Col("Reason", "string", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."), (o, _) => Json.String(core(o), "reason") ?? string.Empty),
        (Col("Object", "string", "The object that this event is about."), (o, _) => EventObject(core(o))),
        (Col("Subobject", "string", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.", 1),
            (o, _) => Json.String(core(o), "involvedObject", "fieldPath") ?? string.Empty),
        (Col("Source", "string", "The component reporting this event. Should be a short machine understandable string.", 1), (o, _) => EventSource(core(o))),
        (Col("Message", "string", "A human-readable description of the status of this operation."), (o, _) => (Json.String(core(o), "message") ?? string.Empty).Trim()),
        (Col("First Seen", "string", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", 1), (o, now) => EventTimes(core(o), now).First),
        (Col("Count", "string", "The number of times this event has occurred.", 1), (o, now) => EventTimes(core(o), now).Count),
        (Col("Name", "string", "Name must be unique within a namespace.", 1), (o, _) => Json.String(o, "metadata", "name")),
    ];

    /// <summary>printEvent's times: first seen from firstTimestamp or eventTime, last seen from the series or lastTimestamp.</summary>
    private static (string First, string Last, long Count) EventTimes(JsonObject e, DateTimeOffset now)
    {
        string Since(string? time) => KubeTime.TryParse(time, out var t) ? HumanDuration.Format(now - t) : "<unknown>";
        var first = Since(Json.String(e, "firstTimestamp") ?? Json.String(e, "eventTime"));
        var last = Json.String(e, "lastTimestamp") is { } lastTimestamp ? Since(lastTimestamp) : first;
        var count = Json.Integer(e, "count") ?? 0;
        if (Json.At(e, "series") is JsonObject series)
        {
            last = Since(Json.String(series, "lastObservedTime"));
            count = Json.Integer(series, "count") ?? 0;
        }
        else if (count == 0)
        {
            // Singleton events have no count in the new API.
            count = 1;
        }

        return (first, last, count);
    }

    private static string EventObject(JsonObject e)
    {
        var kind = (Json.String(e, "involvedObject", "kind") ?? string.Empty).ToLowerInvariant();
        return Json.String(e, "involvedObject", "name") is { Length: > 0 } name ? $"{kind}/{name}" : kind;
    }

    private static string EventSource(JsonObject e)
    {
        static string First(string? a, string? b) => string.IsNullOrEmpty(a) ? b ?? string.Empty : a;
        var component = First(Json.String(e, "source", "component"), Json.String(e, "reportingComponent"));
        var instance = First(Json.String(e, "source", "host"), Json.String(e, "reportingInstance"));
        return instance.Length == 0 ? component : $"{component}, {instance}";
    }

    private static bool ClaimBound(JsonObject claim) => !string.IsNullOrEmpty(Json.String(claim, "spec", "volumeName"));

    /// <summary>GetAccessModesAsString: the short forms, in a fixed order.</summary>
    private static string AccessModes(JsonObject claim)
    {
        var modes = Json.Strings(Json.At(claim, "status", "accessModes"));
        var order = (ReadOnlySpan<(string Mode, string Short)>)[("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP")];
        var shown = new List<string>();
        foreach (var (mode, abbreviation) in order)
        {
            if (modes.Contains(mode))
            {
                shown.Add(abbreviation);
            }
        }

        return string.Join(",", shown);
    }

    private static string ServiceExternalIp(JsonObject service)
    {
        var externalIps = Json.Strings(Json.At(service, "spec", "externalIPs"));
        switch (Json.String(service, "spec", "type"))
        {
            case "ClusterIP" or "NodePort":
                return externalIps.Count > 0 ? string.Join(",", externalIps) : "<none>";
            case "LoadBalancer":
                var ingress = (Json.At(service, "status", "loadBalancer", "ingress") as JsonArray ?? [])
                    .Select(i => Json.String(i, "ip") is { Length: > 0 } ip ? ip : Json.String(i, "hostname") ?? string.Empty)
                    .Where(a => a.Length > 0)
                    .Concat(externalIps)
                    .ToList();
                return ingress.Count > 0 ? string.Join(",", ingress) : "<pending>";
            case "ExternalName":
                return Json.String(service, "spec", "externalName") ?? string.Empty;
            default:
                return "<unknown>";
        }
    }

    private static string ServicePorts(JsonObject service)
    {
        var ports = (Json.At(service, "spec", "ports") as JsonArray ?? []).Select(p =>
        {
            var port = Json.Integer(p, "port") ?? 0;
            var protocol = Json.String(p, "protocol") ?? string.Empty;
            return Json.Integer(p, "nodePort") is { } nodePort and > 0 ? $"{port}:{nodePort}/{protocol}" : $"{port}/{protocol}";
        }).ToList();
        return ports.Count == 0 ? "<none>" : string.Join(",", ports);
    }

    /// <summary><c>labels.FormatLabels</c>: sorted <c>k=v</c> pairs, or <c>&lt;none&gt;</c>.</summary>
    private static string Labels(JsonObject? labels) =>
        labels is { Count: > 0 }
            ? string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"))
            : "<none>";

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
