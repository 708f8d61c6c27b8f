using Drover.DevCluster.Events;

namespace Drover.DevCluster.Resources;

/// <summary>The built-in kinds the dev cluster serves, as the real API server describes them in discovery.</summary>
public static class BuiltinResources
{
    public static IReadOnlyList<ResourceType> All { get; } =
    [
        Core("namespaces", "Namespace", namespaced: false, shortNames: ["ns"], status: true),
        Core("secrets", "Secret"),
        Core("configmaps", "ConfigMap", shortNames: ["cm"]),
        Core("serviceaccounts", "ServiceAccount", shortNames: ["sa"], returnsDeleted: true),
        Core("services", "Service", shortNames: ["svc"], status: true, categories: ["all"], returnsDeleted: true),
        new()
        {
            Group = string.Empty, Version = "v1", Plural = "events", Kind = "Event", Namespaced = true, ShortNames = ["ev"],
            SelectableFields = EventFields.Core,
        },
        Core("pods", "Pod", shortNames: ["po"], status: true, categories: ["all"], returnsDeleted: true),
        Core("persistentvolumeclaims", "PersistentVolumeClaim", shortNames: ["pvc"], status: true),
        Core("persistentvolumes", "PersistentVolume", namespaced: false, shortNames: ["pv"], status: true),
        new()
        {
            Group = "apps", Version = "v1", Plural = "deployments", Kind = "Deployment", Namespaced = true,
            ShortNames = ["deploy"], Categories = ["all"], HasStatusSubresource = true, HasGeneration = true,
            AnnotationsBumpGeneration = true,
            Scale = new ScaleSubresource(".spec.replicas", ".status.replicas", ".spec.selector"),
        },
        // The simulated deployment controller keeps one per pod-template revision; kstatus (helm --wait) lists them too.
        new()
        {
            Group = "apps", Version = "v1", Plural = "replicasets", Kind = "ReplicaSet", Namespaced = true,
            ShortNames = ["rs"], Categories = ["all"], HasStatusSubresource = true, HasGeneration = true,
            Scale = new ScaleSubresource(".spec.replicas", ".status.replicas", ".spec.selector"),
        },
        Grouped("batch", "jobs", "Job", status: true, generation: true, categories: ["all"]),
        Grouped("batch", "cronjobs", "CronJob", status: true, generation: true, shortNames: ["cj"], categories: ["all"]),
        Grouped("networking.k8s.io", "networkpolicies", "NetworkPolicy", generation: true, shortNames: ["netpol"]),
        Grouped("policy", "poddisruptionbudgets", "PodDisruptionBudget", status: true, generation: true, shortNames: ["pdb"]),
        Grouped("coordination.k8s.io", "leases", "Lease"),
        Grouped("rbac.authorization.k8s.io", "roles", "Role"),
        Grouped("rbac.authorization.k8s.io", "rolebindings", "RoleBinding"),
        Grouped("rbac.authorization.k8s.io", "clusterroles", "ClusterRole", namespaced: false),
        Grouped("rbac.authorization.k8s.io", "clusterrolebindings", "ClusterRoleBinding", namespaced: false),
        Grouped("apiextensions.k8s.io", "customresourcedefinitions", "CustomResourceDefinition", namespaced: false, status: true, generation: true, shortNames: ["crd", "crds"]),
        // One resource with core Events, as on a real server: stored as core/v1, converted on every read and write.
        new()
        {
            Group = "events.k8s.io", Version = "v1", Plural = "events", Kind = "Event", Namespaced = true, ShortNames = ["ev"],
            StoredAs = EventConversion.CoreEvents, SelectableFields = EventFields.EventsV1,
        },
    ];

    private static ResourceType Core(
        string plural,
        string kind,
        bool namespaced = true,
        string[]? shortNames = null,
        bool status = false,
        string[]? categories = null,
        bool returnsDeleted = false) => new()
        {
            Group = string.Empty,
            Version = "v1",
            Plural = plural,
            Kind = kind,
            Namespaced = namespaced,
            ShortNames = shortNames ?? [],
            Categories = categories ?? [],
            HasStatusSubresource = status,
            ReturnsDeletedObject = returnsDeleted,
        };

    private static ResourceType Grouped(
        string group,
        string plural,
        string kind,
        bool namespaced = true,
        bool status = false,
        bool generation = false,
        string[]? shortNames = null,
        string[]? categories = null) => new()
        {
            Group = group,
            Version = "v1",
            Plural = plural,
            Kind = kind,
            Namespaced = namespaced,
            ShortNames = shortNames ?? [],
            Categories = categories ?? [],
            HasStatusSubresource = status,
            HasGeneration = generation,
        };
}
