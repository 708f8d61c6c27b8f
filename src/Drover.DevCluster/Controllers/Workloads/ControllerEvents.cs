using System.Globalization;
using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Resources;
using Drover.DevCluster.Storage;
using Drover.DevCluster.Writes;

namespace Drover.DevCluster.Controllers.Workloads;

/// <summary>
/// Records core/v1 Events for what the simulated controllers and kubelet do, as their real counterparts do, so
/// <c>kubectl describe</c> shows them. A repeat of the same event on the same object bumps its count.
/// </summary>
internal sealed class ControllerEvents
{
    private readonly ResourceOperations _operations;
    private readonly TimeProvider _time;
    private readonly ResourceType? _events;
    private readonly Dictionary<string, Dictionary<(string Reason, string Message), string>> _recorded = new(StringComparer.Ordinal);
    private long _sequence;

    public ControllerEvents(ResourceOperations operations, TimeProvider time)
    {
        _operations = operations;
        _time = time;
        _events = operations.Catalog.Find(string.Empty, "v1", "events");
    }

    public void Normal(ResourceType type, StoredObject regarding, string component, string reason, string message) =>
        Record(type, regarding, component, "Normal", reason, message);

    public void Warning(ResourceType type, StoredObject regarding, string component, string reason, string message) =>
        Record(type, regarding, component, "Warning", reason, message);

    /// <summary>Forgets the events of an object that is gone.</summary>
    public void Forget(string uid) => _recorded.Remove(uid);

    private void Record(ResourceType type, StoredObject regarding, string component, string eventType, string reason, string message)
    {
        if (_events is null)
        {
            return;
        }

        var now = KubeTime.Format(_time.GetUtcNow());
        if (!_recorded.TryGetValue(regarding.Uid, out var recorded))
        {
            recorded = [];
            _recorded[regarding.Uid] = recorded;
        }

        try
        {
            if (recorded.TryGetValue((reason, message), out var name) && _operations.ObjectStore.Get(_events.StorageKey, regarding.Namespace, name) is { } existing)
            {
                var next = existing.Clone();
                next["count"] = (Json.Integer(existing.Object, "count") ?? 1) + 1;
                next["lastTimestamp"] = now;
                _operations.ReplaceInternal(_events, existing, next);
                return;
            }

            name = $"{regarding.Name}.{(_time.GetUtcNow().UtcTicks + _sequence++).ToString("x", CultureInfo.InvariantCulture)}";
            var body = new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = regarding.Namespace },
                ["involvedObject"] = new JsonObject
                {
                    ["apiVersion"] = type.ApiVersion,
                    ["kind"] = type.Kind,
                    ["name"] = regarding.Name,
                    ["namespace"] = regarding.Namespace,
                    ["uid"] = regarding.Uid,
                    ["resourceVersion"] = regarding.ResourceVersion.ToString(CultureInfo.InvariantCulture),
                },
                ["reason"] = reason,
                ["message"] = message,
                ["source"] = new JsonObject { ["component"] = component },
                ["firstTimestamp"] = now,
                ["lastTimestamp"] = now,
                ["count"] = 1,
                ["type"] = eventType,
                ["reportingComponent"] = component,
                ["reportingInstance"] = string.Empty,
            };
            _operations.Create(_events, regarding.Namespace, body, WriteOptions.Simulated(component));
            recorded[(reason, message)] = name;
        }
        catch (ApiException)
        {
            // An event is best effort, as in a real cluster: a terminating namespace refuses it.
        }
    }
}
