using Drover.Api;
using Drover.Api.V1Alpha1;
using Drover.Api.Validation;
using Drover.Operator.Agents;
using Drover.Operator.Gateway;
using Drover.Operator.Resolution;
using Drover.Operator.Status;

namespace Drover.Operator.Schedules;

/// <summary>
/// A Schedule ready to build: the Schedule with defaults applied, its agent's resolved plan and, when the agent goes
/// through the gateway, the Schedule's own gateway key (so its runs' usage is counted per Schedule).
/// </summary>
internal sealed record SchedulePlan(Schedule Schedule, AgentPlan Agent, GatewayKey? GatewayKey = null)
{
    public string Name => Schedule.Metadata.Name;

    public ScheduleSpec Spec => Schedule.Spec;
}

/// <summary>Resolves a Schedule: validates it, finds its Agent, and checks the agent can run one prompt.</summary>
internal static class ScheduleResolver
{
    /// <returns>Null on success (then <paramref name="plan"/> is set), else why the Schedule cannot run.</returns>
    public static ResolutionFailure? TryResolve(Schedule schedule, IClusterLookup cluster, OperatorOptions options, out SchedulePlan? plan)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(cluster);
        plan = null;
        var defaulted = Defaults.Apply(schedule);
        var errors = ScheduleValidator.Validate(defaulted);
        if (errors.Count > 0)
        {
            return new ResolutionFailure(ScheduleReasons.InvalidSchedule, string.Join(" ", errors.Select(e => e.ToString())));
        }

        var ns = defaulted.Metadata.NamespaceProperty ?? "";
        var agentName = ScheduleReferences.AgentName(defaulted);
        var agent = cluster.Agent(ns, agentName);
        if (agent is null)
        {
            return new ResolutionFailure(
                ScheduleReasons.AgentNotFound,
                $"spec.agentRef.name: Agent \"{agentName}\" was not found in namespace \"{ns}\"; create it or correct the name.");
        }

        if (agent.Spec.RunOnce?.NamesAProcess() != true)
        {
            return new ResolutionFailure(
                ScheduleReasons.AgentHasNoRunOnce,
                $"Agent \"{agentName}\" has no spec.runOnce, so it cannot answer one prompt and exit; on the Agent, {AgentValidator.RunOnceMissingMessage}");
        }

        var agentResolution = AgentResolver.Resolve(agent, cluster, options);
        if (agentResolution.Failure is { } failure)
        {
            return new ResolutionFailure(ScheduleReasons.AgentNotReady, $"Agent \"{agentName}\" cannot run ({failure.Reason}): {failure.Message}");
        }

        var agentPlan = agentResolution.Plan!;
        GatewayKey? key = null;
        if (agentPlan.UsesGateway)
        {
            var rotation = defaulted.Metadata.Annotations?.TryGetValue(DroverLabels.RotateGatewayKey, out var value) == true ? value : null;
            key = cluster.GatewayKey(ns, GatewayKey.SecretName(defaulted.Metadata.Name), defaulted.Metadata.Uid, rotation);
        }

        plan = new SchedulePlan(defaulted, agentPlan, key);
        return null;
    }
}
