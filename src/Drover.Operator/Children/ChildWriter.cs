using System.Text.Json.Nodes;
using Drover.ControllerRuntime.Apply;
using Drover.ControllerRuntime.Client;
using Drover.Operator.Cluster;
using Drover.Operator.Observability;
using Drover.Operator.Status;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Drover.Operator.Children;

/// <summary>Applies and prunes children of any registered kind (<see cref="ChildKinds"/>), and logs what it changed.</summary>
internal sealed class ChildWriter(ResourceApplier applier, OperatorInformers informers, ILogger logger)
{
    /// <summary>
    /// Applies <paramref name="child"/> unless the cache shows it as desired. An object of that name that the owner does
    /// not control is left untouched (<see cref="ChildReasons.NameConflict"/>); one the API server refuses is reported
    /// with the server's words (<see cref="ChildReasons.ApplyFailed"/>). Other errors (unavailable, throttled) throw, to be retried.
    /// </summary>
    public async Task<ChildApply> ApplyAsync(IKubernetesObject<V1ObjectMeta> owner, IKubernetesObject<V1ObjectMeta> child, CancellationToken cancellationToken, UncachedChildren? uncached = null)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(child);
        var kind = ChildKinds.Of(child);
        var (ns, name) = (child.Metadata.NamespaceProperty, child.Metadata.Name);
        OwnedApplyResult result;
        try
        {
            result = await kind.ApplyAsync(applier, informers, owner, child, cancellationToken, uncached?.ReadOf(child));
        }
        catch (KubeApiException e) when (IsRefusal(e))
        {
            var failure = new ResolutionFailure(
                ChildReasons.ApplyFailed,
                $"The API server refused {kind.Kind} {ns}/{name} ({(int)e.StatusCode}): {e.Message}");
            OperatorLog.ChildRefused(logger, owner.Metadata.NamespaceProperty, owner.Metadata.Name, kind.Kind, name, e.Message);
            return new ChildApply(Applied: false, failure);
        }

        switch (result.Outcome)
        {
            case ApplyOutcome.Applied:
                OperatorLog.ChildApplied(logger, owner.Metadata.NamespaceProperty, owner.Metadata.Name, kind.Kind, name);
                return new ChildApply(Applied: true, Failure: null);
            case ApplyOutcome.Conflict:
                var holder = result.HeldBy is null ? "nothing controls it" : $"it is controlled by {result.HeldBy}";
                var conflict = new ResolutionFailure(
                    ChildReasons.NameConflict,
                    $"{kind.Kind} {ns}/{name} already exists and this {owner.Kind} does not control it ({holder}); Drover leaves it untouched. "
                    + $"Rename the {owner.Kind}, or remove or rename that {kind.Kind}.");
                OperatorLog.ChildNameConflict(logger, owner.Metadata.NamespaceProperty, owner.Metadata.Name, kind.Kind, name, holder);
                return new ChildApply(Applied: false, conflict);
            default:
                return new ChildApply(Applied: false, Failure: null);
        }
    }

    /// <summary>
    /// Starts looking up, all at once, those of <paramref name="children"/> the caches do not hold. Before a child is
    /// first created the API server is asked whether another object holds its name; a new agent has four or five
    /// children, and asking for each only when its turn came made every new agent wait for each answer in turn.
    /// </summary>
    public UncachedChildren ReadUncached(IEnumerable<IKubernetesObject<V1ObjectMeta>> children, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(children);
        var reads = new Dictionary<IKubernetesObject<V1ObjectMeta>, Task<object?>>(ReferenceEqualityComparer.Instance);
        foreach (var child in children)
        {
            if (ChildKinds.Of(child).ReadIfUncached(applier, informers, child, cancellationToken) is { } read)
            {
                // A read whose child is never applied (an earlier one failed) must not fault unobserved.
                _ = read.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                reads[child] = read;
            }
        }

        return new UncachedChildren(reads);
    }

    // A refusal names something to fix in the spec; 409 (a write raced another) and 429 (throttled) are worth retrying.
    private static bool IsRefusal(KubeApiException e) =>
        (int)e.StatusCode is >= 400 and < 500 and not 409 and not 429;

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

    /// <summary>Scales a Deployment to zero without changing its template; the next apply restores its replicas.</summary>
    public async Task ScaleToZeroAsync(V1Deployment deployment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        await applier.MergePatchAsync(ChildKinds.Deployments.Resource, deployment, new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 0 } }, cancellationToken);
        OperatorLog.ScaledToZero(logger, deployment.Metadata.NamespaceProperty, deployment.Metadata.Name);
    }
}

/// <summary>What applying one child did: whether a write was sent, and why the child could not be written.</summary>
internal readonly record struct ChildApply(bool Applied, ResolutionFailure? Failure);

/// <summary>The lookups <see cref="ChildWriter.ReadUncached"/> started, by child.</summary>
internal sealed class UncachedChildren(IReadOnlyDictionary<IKubernetesObject<V1ObjectMeta>, Task<object?>> reads)
{
    public Task<object?>? ReadOf(IKubernetesObject<V1ObjectMeta> child) => reads.GetValueOrDefault(child);
}
