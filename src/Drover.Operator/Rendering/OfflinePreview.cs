using System.Text.Json.Nodes;
using Drover.Operator.Children;
using k8s;
using k8s.Models;

namespace Drover.Operator.Rendering;

/// <summary>
/// How <c>drover render</c> prints an object it built: valid as printed against the official schemas, and safe to
/// paste into a CI log or a pull request.
/// <list type="bullet">
/// <item>No <c>ownerReferences</c>: an owner read from a file has no uid yet, and a reference without one is invalid. The
/// annotation <c>drover.dev/owner: Agent/echo</c> names the owner instead; the operator sets the real controller
/// reference when it applies the object.</item>
/// <item>Secret <c>data</c> and <c>stringData</c> keep their keys, and each value is the mask <see cref="Mask"/> unless
/// secrets are shown. The pod template's config hash still changes with any value, so a diff of two renders shows
/// that a secret changed without showing it.</item>
/// </list>
/// </summary>
internal static class OfflinePreview
{
    /// <summary>The annotation naming the object's owner, as <c>Kind/name</c> in the same namespace.</summary>
    public const string OwnerAnnotation = "drover.dev/owner";

    /// <summary>
    /// What a Secret's values print as. Readable at a glance, and valid base64, so a Secret's <c>data</c> still
    /// validates as bytes; it decodes to nothing meaningful, so a redacted render must not be applied.
    /// </summary>
    public const string Mask = "REDACTED";

    public static JsonObject ToJson(IKubernetesObject<V1ObjectMeta> obj, bool showSecrets)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var json = KubeObjectJson.ToJson(obj);
        if (json["metadata"] is JsonObject metadata && metadata["ownerReferences"] is JsonArray owners)
        {
            metadata.Remove("ownerReferences");
            var controller = owners.OfType<JsonObject>().FirstOrDefault(o => o["controller"]?.GetValue<bool>() == true) ?? owners.OfType<JsonObject>().FirstOrDefault();
            if (controller is not null)
            {
                var annotations = metadata["annotations"] as JsonObject ?? [];
                annotations[OwnerAnnotation] = $"{controller["kind"]}/{controller["name"]}";
                metadata["annotations"] = Sorted(annotations);
                json["metadata"] = Sorted(metadata);
            }
        }

        if (obj is V1Secret && !showSecrets)
        {
            foreach (var field in new[] { "data", "stringData" })
            {
                if (json[field] is JsonObject values)
                {
                    foreach (var key in values.Select(p => p.Key).ToList())
                    {
                        values[key] = Mask;
                    }
                }
            }
        }

        return json;
    }

    // Keys print in order, as everything the builders produce does (the annotation was added last).
    private static JsonObject Sorted(JsonObject obj)
    {
        var sorted = new JsonObject();
        foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal).ToList())
        {
            obj.Remove(key);
            sorted[key] = value;
        }

        return sorted;
    }
}
