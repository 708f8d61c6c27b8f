using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Resources;
using Drover.DevCluster.Storage;

namespace Drover.DevCluster.Controllers.Workloads;

/// <summary>Reading and writing the controller ownerReference that ties a ReplicaSet, Pod or Job to its owner.</summary>
internal static class OwnerReferences
{
    /// <summary>The ownerReference with <c>controller: true</c>, if any.</summary>
    public static JsonObject? Controller(JsonObject metadata) =>
        (metadata["ownerReferences"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(r => Json.At(r, "controller") is JsonValue v && v.TryGetValue<bool>(out var c) && c);

    /// <summary>The reference a controller puts on what it creates: controller and blockOwnerDeletion both true.</summary>
    public static JsonArray ControlledBy(ResourceType ownerType, StoredObject owner) =>
    [
        new JsonObject
        {
            ["apiVersion"] = ownerType.ApiVersion,
            ["kind"] = ownerType.Kind,
            ["name"] = owner.Name,
            ["uid"] = owner.Uid,
            ["controller"] = true,
            ["blockOwnerDeletion"] = true,
        },
    ];

    /// <summary>Where the controller of an object of <paramref name="bucket"/> is stored, when it is one the simulation runs.</summary>
    public static ObjectKey? ControllerKey(string bucket, StoredObject obj)
    {
        if (Controller(obj.Metadata) is not { } reference)
        {
            return null;
        }

        var ownerBucket = (bucket, Json.String(reference, "apiVersion"), Json.String(reference, "kind")) switch
        {
            (Buckets.ReplicaSets, "apps/v1", "Deployment") => Buckets.Deployments,
            (Buckets.Pods, "apps/v1", "ReplicaSet") => Buckets.ReplicaSets,
            (Buckets.Pods, "batch/v1", "Job") => Buckets.Jobs,
            _ => null,
        };
        return ownerBucket is null ? null : new ObjectKey(ownerBucket, obj.Namespace, Json.String(reference, "name") ?? string.Empty);
    }
}
