using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Resources;
using static Drover.DevCluster.Tables.BuiltinColumns;

namespace Drover.DevCluster.Tables;

/// <summary>The columns <c>kubectl get pv</c> prints (claims: <see cref="BuiltinColumns"/>).</summary>
internal static class VolumeColumns
{
    public static IReadOnlyList<(PrinterColumn Column, Func<JsonObject, DateTimeOffset, JsonNode?> Cell)> Volumes { get; } =
    [
        (Col("Capacity", "string", "capacity is the description of the persistent volume's resources and capacity."), (o, _) => Json.At(o, "spec", "capacity", "storage")?.ToString() ?? string.Empty),
        (Col("Access Modes", "string", "accessModes contains all ways the volume can be mounted."), (o, _) => AccessModes(Json.At(o, "spec", "accessModes"))),
        (Col("Reclaim Policy", "string", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim."),
            (o, _) => Json.String(o, "spec", "persistentVolumeReclaimPolicy") ?? string.Empty),
        (Col("Status", "string", "phase indicates if a volume is available, bound to a claim, or released by a claim."), (o, _) => Json.String(o, "status", "phase") ?? string.Empty),
        (Col("Claim", "string", "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim."),
            (o, _) => Json.At(o, "spec", "claimRef") is JsonObject claim ? $"{Json.String(claim, "namespace")}/{Json.String(claim, "name")}" : string.Empty),
        (Col("StorageClass", "string", "StorageClass of the pv"), (o, _) => Json.String(o, "spec", "storageClassName") ?? string.Empty),
        (Col("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"), (o, _) => Json.String(o, "spec", "volumeAttributesClassName") ?? "<unset>"),
        (Col("Reason", "string", "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI."),
            (o, _) => Json.String(o, "status", "reason") ?? string.Empty),
        (Age(), AgeCell),
        (Col("VolumeMode", "string", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.", 1),
            (o, _) => Json.String(o, "spec", "volumeMode") ?? "Filesystem"),
    ];

    private static string AccessModes(JsonNode? modes) =>
        string.Join(",", Json.Strings(modes).Select(m => m switch
        {
            "ReadWriteOnce" => "RWO",
            "ReadOnlyMany" => "ROX",
            "ReadWriteMany" => "RWX",
            "ReadWriteOncePod" => "RWOP",
            _ => m,
        }));
}
