using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Resources;

namespace Drover.DevCluster.Writes;

/// <summary>The few kind-specific rules built-in registries apply on create and update.</summary>
internal static class BuiltinDefaults
{
    public static void OnCreate(ResourceType type, JsonObject obj)
    {
        if (type.IsCustom)
        {
            return;
        }

        switch (type.Group, type.Plural)
        {
            case ("", "namespaces"):
                var metadata = Json.Metadata(obj);
                var labels = metadata["labels"] as JsonObject ?? [];
                labels["kubernetes.io/metadata.name"] = Json.String(metadata, "name");
                metadata["labels"] = labels;
                var spec = obj["spec"] as JsonObject ?? [];
                var finalizers = Json.Strings(spec["finalizers"]);
                if (!finalizers.Contains("kubernetes"))
                {
                    finalizers.Add("kubernetes");
                }

                spec["finalizers"] = Json.ToArray(finalizers);
                obj["spec"] = spec;
                obj["status"] = new JsonObject { ["phase"] = "Active" };
                break;
            case ("apps", "deployments"):
                DeploymentDefaults.Apply(obj);
                break;
        }
    }

    public static void OnUpdate(ResourceType type, JsonObject old, JsonObject next)
    {
        if (type is { Group: "", Plural: "namespaces" })
        {
            // Namespace finalizers and phase belong to the server.
            var spec = next["spec"] as JsonObject ?? [];
            spec["finalizers"] = Json.At(old, "spec", "finalizers")?.DeepClone();
            next["spec"] = spec;
            next["status"] = old["status"]?.DeepClone();
            Json.Metadata(next)["labels"] ??= new JsonObject();
            ((JsonObject)Json.Metadata(next)["labels"]!)["kubernetes.io/metadata.name"] = Json.String(old, "metadata", "name");
        }
        else if (type is { Group: "apps", Plural: "deployments" })
        {
            DeploymentDefaults.Apply(next);
        }
    }
}
