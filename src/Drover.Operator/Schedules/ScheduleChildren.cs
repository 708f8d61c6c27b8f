using Drover.Operator.Children;
using Drover.Operator.Gateway;
using k8s;
using k8s.Models;

namespace Drover.Operator.Schedules;

/// <summary>Every child a Schedule owns: its gateway key (when its agent goes through the gateway) and its CronJob.</summary>
internal sealed record ScheduleChildren(V1Secret? GatewayKey, V1CronJob CronJob)
{
    public static ScheduleChildren Build(SchedulePlan plan, OperatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new ScheduleChildren(
            plan.GatewayKey is { } key ? GatewayKeySecretBuilder.Build(plan.Schedule, plan.Agent.Name, ChildLabels.ScheduleComponent, key) : null,
            CronJobBuilder.Build(plan, options));
    }

    /// <summary>Every child that exists, in apply order: the key a run needs exists before the CronJob that starts runs.</summary>
    public IReadOnlyList<IKubernetesObject<V1ObjectMeta>> All => ChildKinds.InApplyOrder([GatewayKey, CronJob]);
}
