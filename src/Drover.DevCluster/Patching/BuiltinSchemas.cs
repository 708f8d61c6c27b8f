using System.Text.Json.Nodes;

namespace Drover.DevCluster.Patching;

/// <summary>
/// Merge metadata of the built-in kinds the dev cluster serves, transcribed from the Kubernetes API types
/// (<c>patchMergeKey</c>/<c>patchStrategy</c> tags and <c>+listType</c>/<c>+listMapKey</c>/<c>+mapType</c> markers).
/// Only the paths where merging differs from the defaults are described.
/// </summary>
public static class BuiltinSchemas
{
    private static readonly FieldSchema StringMap = FieldSchema.MapOf(FieldSchema.Unknown);

    /// <summary>meta/v1 ObjectMeta.</summary>
    public static FieldSchema ObjectMeta { get; } = FieldSchema.Struct(
        ("labels", StringMap),
        ("annotations", StringMap),
        ("finalizers", FieldSchema.SetList()),
        ("ownerReferences", FieldSchema.MapList(FieldSchema.Unknown, ["uid"])),
        ("managedFields", FieldSchema.AtomicList()));

    /// <summary>meta/v1 LabelSelector, a <c>+structType=atomic</c>.</summary>
    public static FieldSchema LabelSelector { get; } = FieldSchema.AtomicStruct();

    private static readonly FieldSchema Conditions = FieldSchema.MapList(FieldSchema.Unknown, ["type"]);

    private static readonly FieldSchema StatusWithConditions = FieldSchema.Struct(("conditions", Conditions));

    private static readonly FieldSchema Container = FieldSchema.Struct(
        ("env", FieldSchema.MapList(FieldSchema.Unknown, ["name"])),
        ("ports", FieldSchema.MapList(ContainerPort(), ["containerPort", "protocol"], patchMergeKey: "containerPort")),
        ("volumeMounts", FieldSchema.MapList(FieldSchema.Unknown, ["mountPath"])),
        ("volumeDevices", FieldSchema.MapList(FieldSchema.Unknown, ["devicePath"])),
        ("resources", FieldSchema.Struct(("claims", FieldSchema.MapList(FieldSchema.Unknown, ["name"])), ("limits", StringMap), ("requests", StringMap))),
        ("resizePolicy", FieldSchema.AtomicList()),
        ("args", FieldSchema.AtomicList()),
        ("command", FieldSchema.AtomicList()),
        ("envFrom", FieldSchema.AtomicList()));

    /// <summary>core/v1 PodSpec.</summary>
    public static FieldSchema PodSpec { get; } = FieldSchema.Struct(
        ("containers", FieldSchema.MapList(Container, ["name"])),
        ("initContainers", FieldSchema.MapList(Container, ["name"])),
        ("ephemeralContainers", FieldSchema.MapList(Container, ["name"])),
        ("volumes", FieldSchema.MapList(FieldSchema.Unknown.WithPatchStrategy("retainKeys"), ["name"], patchStrategy: "merge,retainKeys")),
        ("imagePullSecrets", FieldSchema.MapList(FieldSchema.Unknown, ["name"])),
        ("hostAliases", FieldSchema.MapList(FieldSchema.Unknown, ["ip"])),
        ("topologySpreadConstraints", FieldSchema.MapList(FieldSchema.Unknown, ["topologyKey", "whenUnsatisfiable"], patchMergeKey: "topologyKey")),
        ("resourceClaims", FieldSchema.MapList(FieldSchema.Unknown, ["name"], patchStrategy: "merge,retainKeys")),
        ("schedulingGates", FieldSchema.MapList(FieldSchema.Unknown, ["name"])),
        ("nodeSelector", StringMap),
        ("overhead", StringMap),
        ("tolerations", FieldSchema.AtomicList()),
        ("readinessGates", FieldSchema.AtomicList()));

    /// <summary>core/v1 PodTemplateSpec.</summary>
    public static FieldSchema PodTemplateSpec { get; } = FieldSchema.Struct(("metadata", ObjectMeta), ("spec", PodSpec));

    private static readonly FieldSchema Pod = Kind(
        ("spec", PodSpec),
        ("status", FieldSchema.Struct(("conditions", Conditions), ("podIPs", FieldSchema.MapList(FieldSchema.Unknown, ["ip"])))));

    private static readonly FieldSchema Workload = Kind(
        ("spec", FieldSchema.Struct(
            ("selector", LabelSelector),
            ("template", PodTemplateSpec),
            ("strategy", FieldSchema.Unknown.WithPatchStrategy("retainKeys")),
            ("volumeClaimTemplates", FieldSchema.AtomicList()))),
        ("status", StatusWithConditions));

    private static readonly FieldSchema Job = Kind(
        ("spec", JobSpec()),
        ("status", StatusWithConditions));

    private static readonly FieldSchema CronJob = Kind(
        ("spec", FieldSchema.Struct(("jobTemplate", FieldSchema.Struct(("metadata", ObjectMeta), ("spec", JobSpec()))))),
        ("status", FieldSchema.Struct(("active", FieldSchema.AtomicList()))));

    private static readonly FieldSchema Service = Kind(
        ("spec", FieldSchema.Struct(
            ("ports", FieldSchema.MapList(ContainerPort(), ["port", "protocol"], patchMergeKey: "port")),
            ("selector", new FieldSchema { AdditionalProperties = FieldSchema.Unknown, IsAtomicMap = true }),
            ("clusterIPs", FieldSchema.AtomicList()),
            ("externalIPs", FieldSchema.AtomicList()),
            ("ipFamilies", FieldSchema.AtomicList()))),
        ("status", FieldSchema.Struct(("conditions", Conditions))));

    private static readonly FieldSchema NetworkPolicy = Kind(
        ("spec", FieldSchema.Struct(
            ("podSelector", LabelSelector),
            ("ingress", FieldSchema.AtomicList()),
            ("egress", FieldSchema.AtomicList()),
            ("policyTypes", FieldSchema.AtomicList()))));

    private static readonly FieldSchema Rules = Kind(
        ("rules", FieldSchema.AtomicList()),
        ("aggregationRule", FieldSchema.Struct(("clusterRoleSelectors", FieldSchema.AtomicList()))));

    private static readonly FieldSchema Binding = Kind(
        ("subjects", FieldSchema.AtomicList()),
        ("roleRef", FieldSchema.AtomicStruct()));

    private static readonly FieldSchema DataHolder = Kind(
        ("data", StringMap),
        ("stringData", StringMap),
        ("binaryData", StringMap));

    private static readonly FieldSchema ServiceAccount = Kind(
        ("secrets", FieldSchema.MapList(FieldSchema.Unknown, ["name"])),
        ("imagePullSecrets", FieldSchema.AtomicList()));

    private static readonly FieldSchema PersistentVolumeClaim = Kind(
        ("spec", FieldSchema.Struct(("accessModes", FieldSchema.AtomicList()), ("selector", LabelSelector))),
        ("status", StatusWithConditions));

    private static readonly FieldSchema Namespace = Kind(("status", StatusWithConditions));

    private static readonly FieldSchema CustomResourceDefinition = Kind(("status", StatusWithConditions));

    /// <summary>
    /// The schema for a built-in kind; <see cref="FieldSchema.Unknown"/> for kinds this cluster knows nothing
    /// special about (custom resources use <see cref="FieldSchema.FromOpenApi"/>).
    /// </summary>
    public static FieldSchema For(string group, string version, string kind) => (group, kind) switch
    {
        ("", "Pod") => Pod,
        ("", "PodTemplate") => Kind(("template", PodTemplateSpec)),
        ("", "ReplicationController") => Workload,
        ("apps", "Deployment" or "ReplicaSet" or "StatefulSet" or "DaemonSet") => Workload,
        ("batch", "Job") => Job,
        ("batch", "CronJob") => CronJob,
        ("", "Service") => Service,
        ("", "Secret" or "ConfigMap") => DataHolder,
        ("", "ServiceAccount") => ServiceAccount,
        ("", "PersistentVolumeClaim") => PersistentVolumeClaim,
        ("", "Namespace") => Namespace,
        ("networking.k8s.io", "NetworkPolicy") => NetworkPolicy,
        ("rbac.authorization.k8s.io", "Role" or "ClusterRole") => Rules,
        ("rbac.authorization.k8s.io", "RoleBinding" or "ClusterRoleBinding") => Binding,
        ("apiextensions.k8s.io", "CustomResourceDefinition") => CustomResourceDefinition,
        ("coordination.k8s.io", "Lease") or ("", "Event") or ("events.k8s.io", "Event") => Kind(),
        _ => FieldSchema.Unknown,
    };

    private static FieldSchema Kind(params (string Name, FieldSchema Schema)[] fields) =>
        FieldSchema.Struct([("metadata", ObjectMeta), .. fields]);

    private static FieldSchema JobSpec() => FieldSchema.Struct(("selector", LabelSelector), ("template", PodTemplateSpec));

    // Ports key on protocol too, which defaults to TCP when a manifest leaves it out.
    private static FieldSchema ContainerPort() =>
        FieldSchema.Struct(("protocol", new FieldSchema { Default = JsonValue.Create("TCP") }));
}
