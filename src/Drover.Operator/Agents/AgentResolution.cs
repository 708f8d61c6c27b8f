using Drover.Api.V1Alpha1;
using Drover.Operator.Status;

namespace Drover.Operator.Agents;

/// <summary>The outcome of resolving an agent: a plan the builders can use, or the failure to report.</summary>
internal sealed class AgentResolution
{
    private AgentResolution(AgentPlan? plan, ResolutionFailure? failure, DesiredCondition modelResolved)
    {
        Plan = plan;
        Failure = failure;
        ModelResolved = modelResolved;
    }

    public AgentPlan? Plan { get; }

    public ResolutionFailure? Failure { get; }

    /// <summary>The ModelResolved condition: True once the chain resolves, even if something later failed.</summary>
    public DesiredCondition ModelResolved { get; }

    public bool Succeeded => Plan is not null;

    internal static AgentResolution Resolved(AgentPlan plan) => new(plan, null, DesiredCondition.Met(
        ConditionTypes.ModelResolved,
        AgentReasons.Resolved,
        Describe(plan.Chain)));

    internal static AgentResolution ChainFailed(ResolutionFailure failure) =>
        new(null, failure, DesiredCondition.Failed(ConditionTypes.ModelResolved, failure.Reason, failure.Message));

    internal static AgentResolution Failed(ModelChain chain, ResolutionFailure failure) =>
        new(null, failure, DesiredCondition.Met(ConditionTypes.ModelResolved, AgentReasons.Resolved, Describe(chain)));

    private static string Describe(ModelChain chain)
    {
        var primary = chain.Primary;
        var text = $"{primary.Model} via ModelProvider {primary.Provider.Namespace}/{primary.Provider.Name} ({primary.Endpoint})";
        return chain.Fallbacks.Count switch
        {
            0 => text + ".",
            1 => text + ", with 1 fallback.",
            var n => text + $", with {n} fallbacks.",
        };
    }
}
