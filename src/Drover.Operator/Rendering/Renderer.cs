using Drover.Api.V1Alpha1;
using Drover.Operator.Agents;
using Drover.Operator.Children;
using Drover.Operator.ModelProviders;
using Drover.Operator.Resolution;
using Drover.Operator.Schedules;
using k8s;
using k8s.Models;

namespace Drover.Operator.Rendering;

/// <summary>What the operator would create for a set of objects, and the conditions it would set where it cannot.</summary>
/// <param name="Objects">The children, in apply order (by kind), then by namespace and name.</param>
/// <param name="Problems">One line per False condition, naming the object, the condition, its reason and message.</param>
internal sealed record RenderResult(IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects, IReadOnlyList<string> Problems);

/// <summary>Runs the same resolution and builders as the reconcilers over an in-memory set of objects.</summary>
internal static class Renderer
{
    public static RenderResult Render(InMemoryCluster cluster, OperatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(options);
        var objects = new List<IKubernetesObject<V1ObjectMeta>>();
        var problems = new List<string>();
        foreach (var provider in cluster.ModelProviders)
        {
            var resolved = ModelProviderResolver.Resolve(provider, cluster);
            problems.AddRange(resolved.Conditions.Where(c => !c.IsTrue).Select(c => Line(provider, c.ToString())));
        }

        foreach (var agent in cluster.Agents)
        {
            var resolution = AgentResolver.Resolve(agent, cluster, options);
            if (resolution.Plan is { } plan)
            {
                objects.AddRange(AgentChildren.Build(plan, options).All);
                continue;
            }

            if (!resolution.ModelResolved.IsTrue)
            {
                problems.Add(Line(agent, resolution.ModelResolved.ToString()));
            }

            problems.Add(Line(agent, $"{ConditionTypes.Ready}=False ({resolution.Failure!.Reason}): {resolution.Failure.Message}"));
        }

        foreach (var schedule in cluster.Schedules)
        {
            var failure = ScheduleResolver.TryResolve(schedule, cluster, options, out var plan);
            if (failure is null)
            {
                objects.AddRange(ScheduleChildren.Build(plan!, options).All);
            }
            else
            {
                problems.Add(Line(schedule, $"{ConditionTypes.Ready}=False ({failure.Reason}): {failure.Message}"));
            }
        }

        var ordered = objects
            // What a pod needs exists before the pod, as the operator applies them.
            .OrderBy(ChildKinds.OrderOf)
            .ThenBy(o => o.Metadata.NamespaceProperty, StringComparer.Ordinal)
            .ThenBy(o => o.Metadata.Name, StringComparer.Ordinal)
            .ToList();
        problems.Sort(StringComparer.Ordinal);
        return new RenderResult(ordered, problems);
    }

    private static string Line(IKubernetesObject<V1ObjectMeta> obj, string condition) =>
        $"{obj.Kind} {obj.Metadata.NamespaceProperty}/{obj.Metadata.Name}: {condition}";
}
