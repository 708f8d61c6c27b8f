using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Resources;

namespace Drover.DevCluster.Defaulting;

/// <summary>
/// The defaulting the API server runs on every object it decodes, create and update alike, for the built-in kinds
/// the dev cluster serves: the <c>SetDefaults_*</c> functions of k8s.io/kubernetes pkg/apis/{core,apps,batch,
/// networking,rbac}/v1 with the pod spec defaults their generated <c>SetObjectDefaults_*</c> apply to templates.
/// </summary>
internal static class KindDefaults
{
    public static void Apply(ResourceType type, JsonObject obj)
    {
        switch (type.Group, type.Plural)
        {
            case ("", "pods"):
                PodSpecDefaults.ApplyToPod(obj);
                break;
            case ("", "services"):
                Service(obj);
                break;
            case ("", "secrets"):
                DefaultValues.String(obj, "type", "Opaque");
                break;
            case ("", "persistentvolumeclaims"):
                if (obj["spec"] is JsonObject claim)
                {
                    DefaultValues.Pointer(claim, "volumeMode", "Filesystem");
                }

                break;
            case ("apps", "deployments"):
                Deployment(obj);
                break;
            case ("apps", "replicasets"):
                if (obj["spec"] is JsonObject replicaSet)
                {
                    DefaultValues.Pointer(replicaSet, "replicas", 1);
                    PodSpecDefaults.Apply(DefaultValues.Object(replicaSet, "template", "spec"));
                }

                break;
            case ("batch", "jobs"):
                Job(obj);
                break;
            case ("batch", "cronjobs"):
                CronJob(obj);
                break;
            case ("networking.k8s.io", "networkpolicies"):
                NetworkPolicy(obj);
                break;
            case ("rbac.authorization.k8s.io", "rolebindings" or "clusterrolebindings"):
                RoleBinding(obj);
                break;
        }
    }

    /// <summary>SetDefaults_Service. The addresses (clusterIP, ipFamilies, nodePorts) are allocated later, by the registry.</summary>
    private static void Service(JsonObject service)
    {
        if (service["spec"] is not JsonObject spec)
        {
            return;
        }

        DefaultValues.String(spec, "sessionAffinity", "None");
        var affinity = spec["sessionAffinity"]?.ToString();
        if (affinity == "None")
        {
            spec.Remove("sessionAffinityConfig");
        }
        else if (affinity == "ClientIP" && DefaultValues.Object(spec, "sessionAffinityConfig", "clientIP")?["timeoutSeconds"] is null)
        {
            spec["sessionAffinityConfig"] = new JsonObject { ["clientIP"] = new JsonObject { ["timeoutSeconds"] = 10800 } };
        }

        DefaultValues.String(spec, "type", "ClusterIP");
        foreach (var port in DefaultValues.Objects(spec["ports"]))
        {
            DefaultValues.String(port, "protocol", "TCP");
            if (DefaultValues.IsZero(port["targetPort"]))
            {
                port["targetPort"] = port["port"]?.DeepClone();
            }
        }

        var type = spec["type"]?.ToString();
        var externallyAccessible = type is "NodePort" or "LoadBalancer" || (type == "ClusterIP" && spec["externalIPs"] is JsonArray { Count: > 0 });
        if (externallyAccessible)
        {
            DefaultValues.String(spec, "externalTrafficPolicy", "Cluster");
        }

        if (type is "ClusterIP" or "NodePort" or "LoadBalancer")
        {
            DefaultValues.Pointer(spec, "internalTrafficPolicy", "Cluster");
        }

        if (type == "LoadBalancer")
        {
            DefaultValues.Pointer(spec, "allocateLoadBalancerNodePorts", true);
        }
    }

    /// <summary>SetDefaults_Deployment (apps/v1): 25%/25% rolling updates, 10 old ReplicaSets, 600 s progress deadline.</summary>
    private static void Deployment(JsonObject deployment)
    {
        if (deployment["spec"] is not JsonObject spec)
        {
            return;
        }

        DefaultValues.Pointer(spec, "replicas", 1);
        var strategy = DefaultValues.Child(spec, "strategy");
        DefaultValues.String(strategy, "type", "RollingUpdate");
        if (strategy["type"]?.ToString() == "RollingUpdate")
        {
            var rollingUpdate = DefaultValues.Child(strategy, "rollingUpdate");
            DefaultValues.Pointer(rollingUpdate, "maxUnavailable", "25%");
            DefaultValues.Pointer(rollingUpdate, "maxSurge", "25%");
        }

        DefaultValues.Pointer(spec, "revisionHistoryLimit", 10);
        DefaultValues.Pointer(spec, "progressDeadlineSeconds", 600);
        PodSpecDefaults.Apply(DefaultValues.Object(spec, "template", "spec"));
    }

    /// <summary>SetDefaults_Job (batch/v1), and the Job's labels from its template when it has none.</summary>
    private static void Job(JsonObject job)
    {
        if (job["spec"] is not JsonObject spec)
        {
            return;
        }

        if (spec["completions"] is null && spec["parallelism"] is null)
        {
            spec["completions"] = 1;
        }

        DefaultValues.Pointer(spec, "parallelism", 1);
        DefaultValues.Pointer(spec, "backoffLimit", spec["backoffLimitPerIndex"] is null ? 6 : int.MaxValue);
        DefaultValues.Pointer(spec, "completionMode", "NonIndexed");
        DefaultValues.Pointer(spec, "suspend", false);
        foreach (var rule in DefaultValues.Objects(DefaultValues.Object(spec, "podFailurePolicy")?["rules"]))
        {
            foreach (var pattern in DefaultValues.Objects(rule["onPodConditions"]))
            {
                DefaultValues.String(pattern, "status", "True");
            }
        }

        DefaultValues.Pointer(spec, "podReplacementPolicy", spec["podFailurePolicy"] is null ? "TerminatingOrFailed" : "Failed");
        DefaultValues.Pointer(spec, "manualSelector", false);
        CopyTemplateLabels(job);
        PodSpecDefaults.Apply(DefaultValues.Object(spec, "template", "spec"));
    }

    /// <summary>
    /// The Job registry's generated selector (unless <c>manualSelector</c>): the pods' template gets the job's
    /// name and uid as labels, and the selector matches the uid.
    /// </summary>
    public static void GenerateJobSelector(JsonObject job)
    {
        if (job["spec"] is not JsonObject spec || spec["manualSelector"] is JsonValue manual && manual.TryGetValue<bool>(out var isManual) && isManual)
        {
            return;
        }

        var metadata = Json.Metadata(job);
        var name = Json.String(metadata, "name") ?? string.Empty;
        var uid = Json.String(metadata, "uid") ?? string.Empty;
        var labels = DefaultValues.Child(DefaultValues.Child(DefaultValues.Child(spec, "template"), "metadata"), "labels");
        foreach (var (label, value) in (ReadOnlySpan<(string, string)>)[("job-name", name), ("batch.kubernetes.io/job-name", name), ("controller-uid", uid), ("batch.kubernetes.io/controller-uid", uid)])
        {
            if (!labels.ContainsKey(label))
            {
                labels[label] = value;
            }
        }

        var matchLabels = DefaultValues.Child(DefaultValues.Child(spec, "selector"), "matchLabels");
        if (!matchLabels.ContainsKey("batch.kubernetes.io/controller-uid"))
        {
            matchLabels["batch.kubernetes.io/controller-uid"] = uid;
        }

        CopyTemplateLabels(job);
    }

    /// <summary>SetDefaults_CronJob (batch/v1). The job template gets pod spec defaults only, not a Job's.</summary>
    private static void CronJob(JsonObject cronJob)
    {
        if (cronJob["spec"] is not JsonObject spec)
        {
            return;
        }

        DefaultValues.String(spec, "concurrencyPolicy", "Allow");
        DefaultValues.Pointer(spec, "suspend", false);
        DefaultValues.Pointer(spec, "successfulJobsHistoryLimit", 3);
        DefaultValues.Pointer(spec, "failedJobsHistoryLimit", 1);
        PodSpecDefaults.Apply(DefaultValues.Object(spec, "jobTemplate", "spec", "template", "spec"));
    }

    /// <summary>SetDefaults_NetworkPolicy and _NetworkPolicyPort (networking/v1).</summary>
    private static void NetworkPolicy(JsonObject policy)
    {
        if (policy["spec"] is not JsonObject spec)
        {
            return;
        }

        foreach (var rule in DefaultValues.Objects(spec["ingress"]).Concat(DefaultValues.Objects(spec["egress"])))
        {
            foreach (var port in DefaultValues.Objects(rule["ports"]))
            {
                DefaultValues.Pointer(port, "protocol", "TCP");
            }
        }

        if (spec["policyTypes"] is not JsonArray { Count: > 0 })
        {
            // A policy that names no types implies Ingress, and Egress too when it has egress rules.
            var types = new JsonArray("Ingress");
            if (spec["egress"] is JsonArray { Count: > 0 })
            {
                types.Add("Egress");
            }

            spec["policyTypes"] = types;
        }
    }

    /// <summary>SetDefaults_RoleBinding/_ClusterRoleBinding and _Subject (rbac/v1).</summary>
    private static void RoleBinding(JsonObject binding)
    {
        if (binding["roleRef"] is JsonObject roleRef)
        {
            DefaultValues.String(roleRef, "apiGroup", "rbac.authorization.k8s.io");
        }

        foreach (var subject in DefaultValues.Objects(binding["subjects"]))
        {
            if (DefaultValues.IsUnset(subject["apiGroup"]) && subject["kind"]?.ToString() is "User" or "Group")
            {
                subject["apiGroup"] = "rbac.authorization.k8s.io";
            }
        }
    }

    private static void CopyTemplateLabels(JsonObject job)
    {
        var metadata = Json.Metadata(job);
        if (DefaultValues.Object(job, "spec", "template", "metadata", "labels") is { } templateLabels
            && metadata["labels"] is not JsonObject { Count: > 0 })
        {
            metadata["labels"] = templateLabels.DeepClone();
        }
    }
}
