using System.Text.Json.Nodes;
using Drover.DevCluster.Defaulting;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Resources;
using Drover.DevCluster.Services;

namespace Drover.DevCluster.Writes;

/// <summary>
/// What built-in registries do to an object on create and update: the kind's defaulting (which the real server
/// runs on every decode), then the registry's own rules (namespace finalizers, a Service's addresses, a Job's
/// generated selector, the status a new object starts with).
/// </summary>
internal static class BuiltinDefaults
{
    public static void OnCreate(ResourceType type, JsonObject obj, ServiceAddressAllocator services)
    {
        if (type.IsCustom)
        {
            return;
        }

        KindDefaults.Apply(type, obj);
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
            case ("", "services"):
                obj["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
                services.OnCreate(obj);
                break;
            case ("", "persistentvolumeclaims"):
                obj["status"] = new JsonObject { ["phase"] = "Pending" };
                break;
            case ("batch", "jobs"):
                KindDefaults.GenerateJobSelector(obj);
                break;
        }
    }

    public static void OnUpdate(ResourceType type, JsonObject old, JsonObject next, ServiceAddressAllocator services)
    {
        if (type.IsCustom)
        {
            return;
        }

        KindDefaults.Apply(type, next);
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
        else if (type is { Group: "", Plural: "services" })
        {
            services.OnUpdate(old, next);
        }
    }
}
