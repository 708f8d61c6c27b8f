using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Informers;
using Drover.Operator.Children;
using k8s.Models;

namespace Drover.Operator.Rollouts;

/// <summary>
/// Lets configuration rollouts (a new <c>drover.dev/config-hash</c> on an existing Deployment) start only while
/// fewer than <see cref="MaxConcurrent"/> agents are rolling, so a key rotation shared by hundreds of agents rolls
/// them in waves rather than restarting every pod at once. Shared by all workers of the agent controller.
/// </summary>
/// <remarks>
/// Rolling means: the Deployment is progressing, or this pacer let the agent start and the Deployment has not yet
/// shown the new template finished. The second part closes the gap between sending an apply and the watch event that
/// reports it, during which other workers would otherwise see a free slot. The pacer learns what the Deployments look
/// like from the operator's Deployment watch (<see cref="Observe"/>, <see cref="Removed"/>), so a decision costs the
/// same with ten Deployments as with ten thousand.
/// </remarks>
internal sealed class RolloutPacer
{
    private readonly Lock _lock = new();
    private readonly HashSet<ObjectKey> _progressing = [];
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

    /// <summary>Agents rolling now, by the rules in the remarks.</summary>
    public int Rolling
    {
        get
        {
            lock (_lock)
            {
                return CountRolling(except: null);
            }
        }
    }

    /// <summary>
    /// Follows the agents' Deployments as the cache sees them, and hands <paramref name="wake"/> the agents that may
    /// try again whenever a rollout finishes or its Deployment goes (<see cref="TakeWaiting"/>).
    /// </summary>
    public void Follow(Informer<V1Deployment> deployments, Action<ObjectKey> wake)
    {
        ArgumentNullException.ThrowIfNull(deployments);
        ArgumentNullException.ThrowIfNull(wake);
        void WakeWaiting()
        {
            foreach (var key in TakeWaiting())
            {
                wake(key);
            }
        }

        deployments.AddHandler(new ResourceChangeHandler<V1Deployment>
        {
            OnAdded = Observe,
            OnUpdated = (old, current) =>
            {
                Observe(current);
                if (DeploymentProgress.IsProgressing(old) && !DeploymentProgress.IsProgressing(current))
                {
                    WakeWaiting();
                }
            },
            OnDeleted = deployment =>
            {
                Removed(ObjectKey.Of(deployment));
                WakeWaiting();
            },
        });
    }

    /// <summary>Takes in a Deployment as the cache holds it now (added or updated); each is named after its agent.</summary>
    public void Observe(V1Deployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var key = ObjectKey.Of(deployment);
        var progressing = DeploymentProgress.IsProgressing(deployment);
        lock (_lock)
        {
            if (progressing)
            {
                _progressing.Add(key);
            }
            else
            {
                _progressing.Remove(key);
                if (_started.TryGetValue(key, out var hash) && DeploymentProgress.ConfigHash(deployment, ChildLabels.ConfigHashAnnotation) == hash)
                {
                    _started.Remove(key);
                }
            }
        }
    }

    /// <summary>A Deployment is gone: whatever it was rolling no longer holds a slot.</summary>
    public void Removed(ObjectKey deployment)
    {
        lock (_lock)
        {
            _progressing.Remove(deployment);
            _started.Remove(deployment);
        }
    }

    /// <summary>Asks to roll <paramref name="agent"/> to <paramref name="hash"/>.</summary>
    public RolloutDecision TryStart(ObjectKey agent, string hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        lock (_lock)
        {
            var rolling = CountRolling(except: agent);
            if (_started.TryGetValue(agent, out var already) && already == hash)
            {
                StopWaiting(agent);
                return new RolloutDecision(true, rolling);
            }

            if (rolling >= MaxConcurrent)
            {
                if (!_waitingNodes.ContainsKey(agent))
                {
                    _waitingNodes[agent] = _waiting.AddLast(agent);
                }

                return new RolloutDecision(false, rolling);
            }

            StopWaiting(agent);
            _started[agent] = hash;
            return new RolloutDecision(true, rolling + 1);
        }
    }

    /// <summary>
    /// The agents refused a slot that may try again now: as many as there are free slots, longest waiting first. They
    /// leave the waiting line; one refused again rejoins it at the end. Called when a rollout finishes, so a waiting
    /// agent starts then instead of at its next retry.
    /// </summary>
    public IReadOnlyList<ObjectKey> TakeWaiting()
    {
        lock (_lock)
        {
            var free = MaxConcurrent - CountRolling(except: null);
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

    // Under _lock. Started rollouts are few (at most MaxConcurrent plus the ones whose watch event is in flight).
    private int CountRolling(ObjectKey? except)
    {
        var count = _progressing.Count - (except is { } p && _progressing.Contains(p) ? 1 : 0);
        foreach (var agent in _started.Keys)
        {
            if (!_progressing.Contains(agent) && agent != except)
            {
                count++;
            }
        }

        return count;
    }

    private void StopWaiting(ObjectKey agent)
    {
        if (_waitingNodes.Remove(agent, out var node))
        {
            _waiting.Remove(node);
        }
    }
}

/// <summary>Whether a rollout may start now, and how many agents are rolling (including this one when it may).</summary>
internal readonly record struct RolloutDecision(bool Allowed, int Rolling);
