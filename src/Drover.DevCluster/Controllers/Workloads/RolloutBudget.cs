using System.Globalization;
using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;

namespace Drover.DevCluster.Controllers.Workloads;

/// <summary>
/// How far a Deployment may go above and below its replicas during a RollingUpdate: maxSurge rounds a percentage up,
/// maxUnavailable rounds down, and when both come to 0 one pod may be unavailable (the deployment controller's
/// fenceposts). Recreate has neither.
/// </summary>
internal readonly record struct RolloutBudget(int MaxSurge, int MaxUnavailable)
{
    public static RolloutBudget Of(JsonObject deployment, int replicas)
    {
        if ((Json.String(deployment, "spec", "strategy", "type") ?? "RollingUpdate") != "RollingUpdate")
        {
            return new RolloutBudget(0, 0);
        }

        var rolling = Json.At(deployment, "spec", "strategy", "rollingUpdate");
        var surge = Scaled(Json.At(rolling, "maxSurge"), replicas, roundUp: true);
        var unavailable = Scaled(Json.At(rolling, "maxUnavailable"), replicas, roundUp: false);
        if (surge == 0 && unavailable == 0)
        {
            unavailable = 1;
        }

        return new RolloutBudget(surge, replicas == 0 ? 0 : Math.Min(unavailable, replicas));
    }

    /// <summary>An int-or-string: an integer as is, a percentage of <paramref name="total"/>; absent is 0.</summary>
    public static int Scaled(JsonNode? value, int total, bool roundUp)
    {
        if (value is not JsonValue scalar)
        {
            return 0;
        }

        if (scalar.TryGetValue<string>(out var text))
        {
            if (text.EndsWith('%') && int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var percent))
            {
                var exact = (double)percent * total / 100;
                return (int)(roundUp ? Math.Ceiling(exact) : Math.Floor(exact));
            }

            return 0;
        }

        return (int)(Json.Integer(scalar) ?? 0);
    }
}
