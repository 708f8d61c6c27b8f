using System.Text.Json.Nodes;
using k8s.Models;

namespace Drover.CrdGen;

/// <summary>
/// What the JSON schema exporter cannot know about the Kubernetes core types embedded in Drover's kinds:
/// types with custom converters (it emits an empty schema for them) and the fields Kubernetes requires.
/// </summary>
internal static class CoreTypeSchemas
{
    /// <summary>The pattern the API server applies to resource quantities (apimachinery resource.Quantity).</summary>
    public const string QuantityPattern =
        "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";

    // Required fields of core types, from the Kubernetes OpenAPI; keyed by C# type.
    private static readonly Dictionary<Type, string[]> RequiredFields = new()
    {
        [typeof(V1Condition)] = ["lastTransitionTime", "message", "reason", "status", "type"],
        [typeof(V1EnvVar)] = ["name"],
        [typeof(V1SecretKeySelector)] = ["key"],
        [typeof(V1ConfigMapKeySelector)] = ["key"],
        [typeof(V1ObjectFieldSelector)] = ["fieldPath"],
        [typeof(V1ResourceFieldSelector)] = ["resource"],
        [typeof(V1FileKeySelector)] = ["key", "path", "volumeName"],
        [typeof(Corev1ResourceClaim)] = ["name"],
        [typeof(V1NodeSelector)] = ["nodeSelectorTerms"],
        [typeof(V1NodeSelectorRequirement)] = ["key", "operator"],
        [typeof(V1LabelSelectorRequirement)] = ["key", "operator"],
        [typeof(V1PreferredSchedulingTerm)] = ["preference", "weight"],
        [typeof(V1WeightedPodAffinityTerm)] = ["podAffinityTerm", "weight"],
        [typeof(V1PodAffinityTerm)] = ["topologyKey"],
    };

    /// <summary>A replacement schema for a type the exporter cannot describe, or null to keep the exporter's.</summary>
    public static JsonObject? Replacement(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(IntOrString))
        {
            return IntOrString();
        }

        if (underlying == typeof(ResourceQuantity))
        {
            var schema = IntOrString();
            schema["pattern"] = QuantityPattern;
            return schema;
        }

        if (underlying == typeof(DateTime) || underlying == typeof(DateTimeOffset))
        {
            return new JsonObject { ["type"] = "string", ["format"] = "date-time" };
        }

        if (underlying == typeof(byte[]))
        {
            return new JsonObject { ["type"] = "string", ["format"] = "byte" };
        }

        if (underlying == typeof(V1ObjectMeta))
        {
            // The API server owns metadata's schema; a CRD may only say it is an object.
            return new JsonObject { ["type"] = "object" };
        }

        return null;
    }

    public static IReadOnlyList<string> Required(Type type) =>
        RequiredFields.TryGetValue(type, out var fields) ? fields : [];

    private static JsonObject IntOrString() => new()
    {
        ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "integer" }, new JsonObject { ["type"] = "string" }),
        ["x-kubernetes-int-or-string"] = true,
    };
}
