using System.Text.Json.Nodes;

namespace Drover.DevCluster.Writes;

/// <summary>
/// The apps/v1 Deployment defaults the API server fills in: replicas 1, strategy RollingUpdate, and only for
/// RollingUpdate a rollingUpdate of 25%/25%; revisionHistoryLimit 10; progressDeadlineSeconds 600. That
/// rollingUpdate stays when a later write switches the type to Recreate without removing it, which validation then
/// refuses, exactly as a real server does to a server-side apply that only changes the type.
/// </summary>
internal static class DeploymentDefaults
{
    public static void Apply(JsonObject deployment)
    {
        if (deployment["spec"] is not JsonObject spec)
        {
            return;
        }

        spec["replicas"] ??= 1;
        if (spec["strategy"] is not JsonObject strategy)
        {
            strategy = [];
            spec["strategy"] = strategy;
        }

        strategy["type"] ??= "RollingUpdate";
        if (strategy["type"] is JsonValue type && type.TryGetValue<string>(out var name) && name == "RollingUpdate")
        {
            if (strategy["rollingUpdate"] is not JsonObject rolling)
            {
                rolling = [];
                strategy["rollingUpdate"] = rolling;
            }

            rolling["maxUnavailable"] ??= "25%";
            rolling["maxSurge"] ??= "25%";
        }

        spec["revisionHistoryLimit"] ??= 10;
        spec["progressDeadlineSeconds"] ??= 600;
    }
}
