namespace Drover.DevCluster.Controllers.Workloads;

/// <summary>Where an object lives in the store: its bucket (resource.group), namespace and name.</summary>
internal readonly record struct ObjectKey(string Bucket, string Namespace, string Name);

/// <summary>The storage buckets of the kinds the simulated controllers and kubelet work on.</summary>
internal static class Buckets
{
    public const string Deployments = "deployments.apps";
    public const string ReplicaSets = "replicasets.apps";
    public const string Pods = "pods";
    public const string Jobs = "jobs.batch";
    public const string Claims = "persistentvolumeclaims";
    public const string Volumes = "persistentvolumes";
}
