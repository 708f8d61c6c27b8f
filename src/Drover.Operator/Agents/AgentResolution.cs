using Drover.Api.V1Alpha1;
using Drover.Operator.Status;

namespace Drover.Operator.Agents;

/// <summary>The outcome of resolving an agent: a plan the builders can use, or the failure to report.</summary>
internal sealed class AgentResolution
{
    private AgentResolution(AgentPlan? plan, ResolutionFailure? failure, DesiredCondition modelResolved, AgentPlan? reduced = null)
    {
        Plan = plan;
        Failure = failure;
        ModelResolved = modelResolved;
        Reduced = reduced;
    }

    public AgentPlan? Plan { get; }

    /// <summary>
    /// When some links of the chain can no longer be used (provider gone, no longer allowing the namespace, its
    /// credentials gone or unlabelled, model no longer allowed) but others can: the agent with only those. A running
    /// agent is cut down to it, so no key it may not use stays in its Secret or its pods. Null otherwise.
    /// </summary>
    public AgentPlan? Reduced { get; }

    public ResolutionFailure? Failure { get; }

    /// <summary>The ModelResolved condition: True once the chain resolves, even if something later failed.</summary>
    public DesiredCondition ModelResolved { get; }

    public bool Succeeded => Plan is not null;

    internal static AgentResolution Resolved(AgentPlan plan) => new(plan, null, DesiredCondition.Met(
        ConditionTypes.ModelResolved,
        AgentReasons.Resolved,
        Describe(plan.Chain)));

    internal static AgentResolution ChainFailed(ResolutionFailure failure, AgentPlan? reduced = null) =>
        new(null, failure, DesiredCondition.Failed(ConditionTypes.ModelResolved, failure.Reason, failure.Message), reduced);

    /// <summary>Whether the failure is about using the chain's providers, so a running agent must drop what it may not use.</summary>
    public bool RevokesAccess => Failure?.Reason is AgentReasons.ProviderNotFound or AgentReasons.ProviderNotAllowed
        or AgentReasons.ProviderNotReady or AgentReasons.ModelNotAllowed or AgentReasons.ModelRequired;

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
