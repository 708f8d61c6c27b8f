using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Informers;
using Drover.Operator.Children;
using k8s.Models;

namespace Drover.Operator.Rollouts;

/// <summary>
/// Lets configuration rollouts (a new <c>drover.dev/config-hash</c> on an existing Deployment) start only while
/// fewer than <see cref="MaxConcurrent"/> of them are under way, so a key rotation shared by hundreds of agents rolls
/// them in waves rather than restarting every pod at once. Shared by all workers of the agent controller.
/// </summary>
/// <remarks>
/// Only a rollout this pacer started holds a slot: a Deployment rolling for another reason (created, a new image, a
/// pod lost long after its rollout finished) never does, so nothing outside the pacer's own decisions can fill it.
/// A slot is held from the decision (before the apply is even sent, so other workers do not see it free during the
/// gap before the watch reports the apply) until the Deployment shows the new configuration rolled out or stalled,
/// the apply fails (<see cref="Release"/>), the Deployment or agent goes, or the slot's deadline passes, whichever
/// comes first. The deadline is the Deployment's own progress deadline: a rollout that has made no visible progress
/// by then will not be waited for by anyone else. The pacer learns what the Deployments look like from the operator's
/// Deployment watch (<see cref="Observe"/>, <see cref="Removed"/>), so a decision costs the same with ten Deployments
/// as with ten thousand.
/// </remarks>
internal sealed class RolloutPacer
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly Dictionary<ObjectKey, Slot> _slots = [];

    // Agents refused a slot, oldest first, so a freed slot goes to the one that has waited longest.
    private readonly LinkedList<ObjectKey> _waiting = new();
    private readonly Dictionary<ObjectKey, LinkedListNode<ObjectKey>> _waitingNodes = [];

    public RolloutPacer(int maxConcurrent, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrent, 1);
        MaxConcurrent = maxConcurrent;
        _time = time ?? TimeProvider.System;
    }

    public int MaxConcurrent { get; }

    /// <summary>Rollouts holding a slot now.</summary>
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
    /// try again whenever a slot is freed by a rollout finishing or its Deployment going (<see cref="TakeWaiting"/>).
    /// A slot freed by its deadline or a failed apply is taken up at the waiting agents' next retry.
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
            OnAdded = deployment =>
            {
                if (Observe(deployment))
                {
                    WakeWaiting();
                }
            },
            OnUpdated = (_, current) =>
            {
                if (Observe(current))
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

    /// <summary>
    /// Takes in a Deployment as the cache holds it now (added or updated); each is named after its agent. Returns
    /// whether that freed a slot: the rollout the pacer started on it has finished or stalled.
    /// </summary>
    public bool Observe(V1Deployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var key = ObjectKey.Of(deployment);
        lock (_lock)
        {
            if (!_slots.TryGetValue(key, out var slot)
                || DeploymentProgress.ConfigHash(deployment, ChildLabels.ConfigHashAnnotation) != slot.Hash
                || DeploymentProgress.IsProgressing(deployment))
            {
                return false;
            }

            _slots.Remove(key);
            return true;
        }
    }

    /// <summary>A Deployment is gone: whatever it was rolling no longer holds a slot.</summary>
    public void Removed(ObjectKey deployment)
    {
        lock (_lock)
        {
            _slots.Remove(deployment);
        }
    }

    /// <summary>
    /// Asks to roll <paramref name="agent"/> to <paramref name="hash"/>. An allowed rollout holds its slot for at most
    /// <paramref name="deadline"/> from now (asking again for the same hash does not extend it).
    /// </summary>
    public RolloutDecision TryStart(ObjectKey agent, string hash, TimeSpan deadline)
    {
        ArgumentNullException.ThrowIfNull(hash);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(deadline, TimeSpan.Zero);
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var rolling = CountRolling(except: agent);
            if (_slots.TryGetValue(agent, out var held) && held.Hash == hash && held.Deadline > now)
            {
                StopWaiting(agent);
                return new RolloutDecision(true, rolling + 1);
            }

            // A slot of an older hash is replaced by this one; an expired one was already let go.
            _slots.Remove(agent);
            if (rolling >= MaxConcurrent)
            {
                if (!_waitingNodes.ContainsKey(agent))
                {
                    _waitingNodes[agent] = _waiting.AddLast(agent);
                }

                return new RolloutDecision(false, rolling);
            }

            StopWaiting(agent);
            _slots[agent] = new Slot(hash, now + deadline);
            return new RolloutDecision(true, rolling + 1);
        }
    }

    /// <summary>
    /// Gives back the slot of <paramref name="agent"/>'s rollout to <paramref name="hash"/>, when its apply failed: a
    /// rollout that never reached the Deployment must not keep others waiting.
    /// </summary>
    public void Release(ObjectKey agent, string hash)
    {
        lock (_lock)
        {
            if (_slots.TryGetValue(agent, out var slot) && slot.Hash == hash)
            {
                _slots.Remove(agent);
            }
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
            _slots.Remove(agent);
            StopWaiting(agent);
        }
    }

    // Under _lock. Slots are few (at most MaxConcurrent), so dropping the expired ones here costs nothing.
    private int CountRolling(ObjectKey? except)
    {
        var now = _time.GetUtcNow();
        List<ObjectKey>? expired = null;
        var count = 0;
        foreach (var (agent, slot) in _slots)
        {
            if (slot.Deadline <= now)
            {
                (expired ??= []).Add(agent);
            }
            else if (agent != except)
            {
                count++;
            }
        }

        foreach (var agent in expired ?? [])
        {
            _slots.Remove(agent);
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

    private readonly record struct Slot(string Hash, DateTimeOffset Deadline);
}

/// <summary>Whether a rollout may start now, and how many agents are rolling (including this one when it may).</summary>
internal readonly record struct RolloutDecision(bool Allowed, int Rolling);
