using Drover.Api.V1Alpha1;
using k8s.Models;

namespace Drover.Operator.Agents;

/// <summary>Where an agent's pods may run: <c>placement.architectures</c> as a kubernetes.io/arch node affinity, merged with the user's affinity.</summary>
internal static class NodePlacement
{
    public const string ArchitectureLabel = "kubernetes.io/arch";

    /// <summary>
    /// The pod affinity. Required node selector terms are ORed by the scheduler, so the architecture requirement
    /// is added to every user term rather than appended as a term of its own (which would bypass it).
    /// </summary>
    public static V1Affinity? Affinity(Placement? placement)
    {
        var architectures = placement?.Architectures is { Count: > 0 } list
            ? list.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList()
            : null;
        var user = placement?.Affinity;
        if (architectures is null)
        {
            return user;
        }

        var requirement = new V1NodeSelectorRequirement { Key = ArchitectureLabel, OperatorProperty = "In", Values = architectures };
        var userTerms = user?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms;
        var terms = userTerms is { Count: > 0 }
            ? userTerms.Select(term => new V1NodeSelectorTerm
            {
                MatchExpressions = [.. term.MatchExpressions ?? [], requirement],
                MatchFields = term.MatchFields,
            }).ToList()
            : [new V1NodeSelectorTerm { MatchExpressions = [requirement] }];

        return new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector { NodeSelectorTerms = terms },
                PreferredDuringSchedulingIgnoredDuringExecution = user?.NodeAffinity?.PreferredDuringSchedulingIgnoredDuringExecution,
            },
            PodAffinity = user?.PodAffinity,
            PodAntiAffinity = user?.PodAntiAffinity,
        };
    }
}
