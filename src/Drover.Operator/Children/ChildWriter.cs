using Drover.ControllerRuntime.Apply;
using Drover.Operator.Cluster;
using Drover.Operator.Observability;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Drover.Operator.Children;

/// <summary>Applies and prunes children of any registered kind (<see cref="ChildKinds"/>), and logs what it changed.</summary>
internal sealed class ChildWriter(ResourceApplier applier, OperatorInformers informers, ILogger logger)
{
    /// <summary>Applies <paramref name="child"/> unless the cache shows it as desired; returns whether a write was sent.</summary>
    public async Task<bool> ApplyAsync(IKubernetesObject<V1ObjectMeta> owner, IKubernetesObject<V1ObjectMeta> child, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var kind = ChildKinds.Of(child);
        if (await kind.ApplyAsync(applier, informers, child, cancellationToken) != ApplyOutcome.Applied)
        {
            return false;
        }

        OperatorLog.ChildApplied(logger, owner.Metadata.NamespaceProperty, owner.Metadata.Name, kind.Kind, child.Metadata.Name);
        return true;
    }

    /// <summary>Removes every child of <paramref name="owner"/> that is not in <paramref name="wanted"/>, of every kind it owns.</summary>
    public async Task PruneAsync<TOwner>(TOwner owner, IReadOnlyList<IKubernetesObject<V1ObjectMeta>> wanted, CancellationToken cancellationToken)
        where TOwner : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(wanted);
        foreach (var kind in ChildKinds.OwnedBy<TOwner>())
        {
            var names = wanted.Where(kind.Holds).Select(c => c.Metadata.Name).ToHashSet(StringComparer.Ordinal);
            var pruned = await kind.PruneAsync(applier, informers, owner, names, cancellationToken);
            if (pruned > 0)
            {
                OperatorLog.ChildrenPruned(logger, owner.Metadata.NamespaceProperty, owner.Metadata.Name, pruned, kind.Kind);
            }
        }
    }

    /// <summary>Removes every child of <paramref name="kind"/> that <paramref name="owner"/> has, such as a Secret holding a key it may no longer use.</summary>
    public async Task RemoveAllAsync(IKubernetesObject<V1ObjectMeta> owner, IChildKind kind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(kind);
        var pruned = await kind.PruneAsync(applier, informers, owner, new HashSet<string>(), cancellationToken);
        if (pruned > 0)
        {
            OperatorLog.ChildrenPruned(logger, owner.Metadata.NamespaceProperty, owner.Metadata.Name, pruned, kind.Kind);
        }
    }
}
