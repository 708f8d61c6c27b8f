using System.Globalization;
using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Storage;

namespace Drover.DevCluster.Controllers.Workloads;

/// <summary>A ReplicaSet as the deployment controller reads it; updated in place when it scales one.</summary>
internal sealed class ReplicaSetView
{
    public ReplicaSetView(StoredObject stored) => Stored = stored;

    public StoredObject Stored { get; set; }

    public string Name => Stored.Name;

    public int SpecReplicas => (int)(Json.Integer(Stored.Object, "spec", "replicas") ?? 1);

    public int StatusReplicas => (int)(Json.Integer(Stored.Object, "status", "replicas") ?? 0);

    public int ReadyReplicas => (int)(Json.Integer(Stored.Object, "status", "readyReplicas") ?? 0);

    public int AvailableReplicas => (int)(Json.Integer(Stored.Object, "status", "availableReplicas") ?? 0);

    public long Generation => Json.Integer(Stored.Metadata, "generation") ?? 0;

    public long ObservedGeneration => Json.Integer(Stored.Object, "status", "observedGeneration") ?? 0;

    public long Revision =>
        long.TryParse(Json.String(Stored.Metadata, "annotations", DeploymentController.RevisionAnnotation), NumberStyles.None, CultureInfo.InvariantCulture, out var revision) ? revision : 0;

    public string? HashLabel => Json.String(Stored.Metadata, "labels", PodTemplateHash.Label);

    public DateTimeOffset Created => KubeTime.TryParse(Json.String(Stored.Metadata, "creationTimestamp"), out var created) ? created : DateTimeOffset.MinValue;

    /// <summary>Whether this ReplicaSet's template is <paramref name="template"/> apart from its pod-template-hash label.</summary>
    public bool TemplateMatches(JsonNode? template) =>
        Json.At(Stored.Object, "spec", "template") is JsonObject own
            ? template is JsonObject other && PodTemplateHash.SameTemplateApartFromHashLabel(own, other)
            : template is null;
}
