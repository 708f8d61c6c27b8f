using Drover.ControllerRuntime.Client;
using Drover.Operator.Children;
using k8s.Models;

namespace Drover.Operator.Rollouts;

/// <summary>
/// Lets configuration rollouts (a new <c>drover.dev/config-hash</c> on an existing Deployment) start only while
/// fewer than <see cref="MaxConcurrent"/> agents are rolling, so a key rotation shared by hundreds of agents rolls
/// them in waves rather than restarting every pod at once. Shared by all workers of the agent controller.
/// </summary>
/// <remarks>
/// Rolling means: the Deployment in the cache is progressing, or this pacer let the agent start and the cache has
/// not yet shown the new template finished. The second part closes the gap between sending an apply and the watch
/// event that reports it, during which other workers would otherwise see a free slot.
/// </remarks>
public sealed class RolloutPacer
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ObjectKey, string> _started = [];

    // Agents refused a slot, oldest first, so a freed slot goes to the one that has waited longest.
    private readonly LinkedList<ObjectKey> _waiting = new();
    private readonly Dictionary<ObjectKey, LinkedListNode<ObjectKey>> _waitingNodes = [];

    public RolloutPacer(int maxConcurrent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrent, 1);
        MaxConcurrent = maxConcurrent;
    }

    public int MaxConcurrent { get; }

    /// <summary>
    /// Asks to roll <paramref name="agent"/> to <paramref name="hash"/>. <paramref name="deployments"/> are the
    /// operator's Deployments as cached now (each named after its agent).
    /// </summary>
    public RolloutDecision TryStart(ObjectKey agent, string hash, IReadOnlyCollection<V1Deployment> deployments)
    {
        ArgumentNullException.ThrowIfNull(hash);
        ArgumentNullException.ThrowIfNull(deployments);
        lock (_lock)
        {
            var rolling = Rolling(deployments);
            rolling.Remove(agent);
            if (_started.TryGetValue(agent, out var already) && already == hash)
            {
                StopWaiting(agent);
                return new RolloutDecision(true, rolling.Count);
            }

            if (rolling.Count >= MaxConcurrent)
            {
                if (!_waitingNodes.ContainsKey(agent))
                {
                    _waitingNodes[agent] = _waiting.AddLast(agent);
                }

                return new RolloutDecision(false, rolling.Count);
            }

            StopWaiting(agent);
            _started[agent] = hash;
            return new RolloutDecision(true, rolling.Count + 1);
        }
    }

    /// <summary>Agents rolling now, by the rules in the remarks; forgets started rollouts the cache shows finished.</summary>
    public int CountRolling(IReadOnlyCollection<V1Deployment> deployments)
    {
        ArgumentNullException.ThrowIfNull(deployments);
        lock (_lock)
        {
            return Rolling(deployments).Count;
        }
    }

    /// <summary>
    /// The agents refused a slot that may try again now: as many as there are free slots, longest waiting first. They
    /// leave the waiting line; one refused again rejoins it at the end. Called when a rollout finishes, so a waiting
    /// agent starts then instead of at its next retry.
    /// </summary>
    public IReadOnlyList<ObjectKey> TakeWaiting(IReadOnlyCollection<V1Deployment> deployments)
    {
        ArgumentNullException.ThrowIfNull(deployments);
        lock (_lock)
        {
            var free = MaxConcurrent - Rolling(deployments).Count;
            var woken = new List<ObjectKey>();
            while (woken.Count < free && _waiting.First is { } first)
            {
                woken.Add(first.Value);
                StopWaiting(first.Value);
            }

            return woken;
        }
    }

    /// <summary>Forgets an agent that was deleted.</summary>
    public void Forget(ObjectKey agent)
    {
        lock (_lock)
        {
            _started.Remove(agent);
            StopWaiting(agent);
        }
    }

    private void StopWaiting(ObjectKey agent)
    {
        if (_waitingNodes.Remove(agent, out var node))
        {
            _waiting.Remove(node);
        }
    }

    private HashSet<ObjectKey> Rolling(IReadOnlyCollection<V1Deployment> deployments)
    {
        var rolling = new HashSet<ObjectKey>();
        var byKey = new Dictionary<ObjectKey, V1Deployment>();
        foreach (var deployment in deployments)
        {
            var key = ObjectKey.Of(deployment);
            byKey[key] = deployment;
            if (DeploymentProgress.IsProgressing(deployment))
            {
                rolling.Add(key);
            }
        }

        foreach (var (agent, hash) in _started.ToList())
        {
            var finished = byKey.TryGetValue(agent, out var deployment)
                && DeploymentProgress.ConfigHash(deployment, ChildLabels.ConfigHashAnnotation) == hash
                && !DeploymentProgress.IsProgressing(deployment);
            if (finished || deployment is null)
            {
                _started.Remove(agent);
            }
            else
            {
                rolling.Add(agent);
            }
        }

        return rolling;
    }
}

/// <summary>Whether a rollout may start now, and how many agents are rolling (including this one when it may).</summary>
public readonly record struct RolloutDecision(bool Allowed, int Rolling);
