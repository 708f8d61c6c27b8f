using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Apply;
using Drover.ControllerRuntime.Client;
using Drover.Operator.Cluster;
using k8s;
using k8s.Models;

namespace Drover.Operator.Status;

/// <summary>
/// Writes the status of Drover's own kinds: a merge patch of <c>/status</c> from the cached status to the decided
/// one, sent only when they differ.
/// </summary>
internal sealed class StatusWriter(ResourceApplier applier)
{
    /// <summary>The kinds whose <c>/status</c> this writer patches.</summary>
    public static IReadOnlyList<(string Group, string Plural)> Kinds { get; } =
    [
        (OperatorKinds.Agents.Group, OperatorKinds.Agents.Plural),
        (OperatorKinds.ModelProviders.Group, OperatorKinds.ModelProviders.Plural),
        (OperatorKinds.Schedules.Group, OperatorKinds.Schedules.Plural),
    ];

    public Task<bool> WriteAsync(Agent agent, AgentStatus status, CancellationToken cancellationToken) =>
        WriteAsync(OperatorKinds.Agents, agent, agent.Status, status, static (meta, s) => new Agent { Metadata = meta, Status = s }, cancellationToken);

    public Task<bool> WriteAsync(ModelProvider provider, ModelProviderStatus status, CancellationToken cancellationToken) =>
        WriteAsync(OperatorKinds.ModelProviders, provider, provider.Status, status, static (meta, s) => new ModelProvider { Metadata = meta, Status = s }, cancellationToken);

    public Task<bool> WriteAsync(Schedule schedule, ScheduleStatus status, CancellationToken cancellationToken) =>
        WriteAsync(OperatorKinds.Schedules, schedule, schedule.Status, status, static (meta, s) => new Schedule { Metadata = meta, Status = s }, cancellationToken);

    // Only the status is compared and sent. Leaving the rest of the object out keeps fields such as managedFields
    // (free-form JSON the Drover JSON context does not describe) out of serialisation.
    private Task<bool> WriteAsync<T, TStatus>(
        ResourceKind<T> kind,
        T obj,
        TStatus? current,
        TStatus desired,
        Func<V1ObjectMeta, TStatus?, T> withStatus,
        CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TStatus : class
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(desired);
        var where = new V1ObjectMeta { Name = obj.Metadata.Name, NamespaceProperty = obj.Metadata.NamespaceProperty };
        return applier.PatchStatusAsync(kind, withStatus(where, current), withStatus(where, desired), cancellationToken);
    }
}
