using System.Text.Json.Nodes;
using Drover.DevCluster.Patching;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Resources;

namespace Drover.DevCluster.Writes;

/// <summary>Applies a PATCH body of one of the wire patch types to the live object.</summary>
public static class PatchApplication
{
    public const string JsonPatchType = "application/json-patch+json";
    public const string MergePatchType = "application/merge-patch+json";
    public const string StrategicMergePatchType = "application/strategic-merge-patch+json";
    public const string ApplyPatchType = "application/apply-patch+yaml";

    public static JsonObject Apply(ResourceType type, JsonObject live, string patchType, JsonNode? patch)
    {
        ArgumentNullException.ThrowIfNull(type);
        try
        {
            var result = patchType switch
            {
                JsonPatchType => JsonPatch.Apply(live, patch ?? throw ApiException.BadRequest("empty JSON patch")),
                MergePatchType => MergePatch.Apply(live, patch),
                StrategicMergePatchType => StrategicMerge(type, live, patch),
                _ => throw ApiException.UnsupportedMediaType($"the body of the request was in an unknown format - accepted media types include: {AcceptedTypes(type)}"),
            };
            return result as JsonObject ?? throw ApiException.BadRequest("the patch produced a value that is not an object");
        }
        catch (PatchException e)
        {
            throw Translate(e);
        }
    }

    public static ApiException Translate(PatchException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var details = e.Causes.Count == 0 ? null : new JsonObject { ["causes"] = ApiException.Causes(e.Causes) };
        return ApiException.Custom(e.StatusCode, e.Reason, e.Message, details);
    }

    public static string AcceptedTypes(ResourceType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.IsCustom
            ? $"{JsonPatchType}, {MergePatchType}, {ApplyPatchType}"
            : $"{JsonPatchType}, {MergePatchType}, {StrategicMergePatchType}, {ApplyPatchType}";
    }

    public static FieldSchema SchemaFor(ResourceType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.Schema?.Fields ?? BuiltinSchemas.For(type.Group, type.Version, type.Kind);
    }

    private static JsonNode StrategicMerge(ResourceType type, JsonObject live, JsonNode? patch) =>
        StrategicMergePatch.Apply(live, patch ?? new JsonObject(), SchemaFor(type));
}
