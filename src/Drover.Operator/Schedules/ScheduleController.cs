using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Controllers;
using Drover.Operator.Children;
using Drover.Operator.Cluster;
using Microsoft.Extensions.Logging;

namespace Drover.Operator.Schedules;

/// <summary>What the Schedule controller watches: its CronJob and its Agent (<see cref="ScheduleReferences"/>).</summary>
internal static class ScheduleController
{
    public const string Name = "schedules";

    public static Controller<Schedule> Create(
        OperatorInformers informers,
        ScheduleReconciler reconciler,
        ControllerOptions options,
        ILogger logger,
        TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(informers);
        var controller = new Controller<Schedule>(Name, informers.Schedules, reconciler, options, logger, time);
        foreach (var kind in ChildKinds.OwnedBy<Schedule>())
        {
            kind.Watch(controller, informers);
        }

        return controller
            .Watches(informers.Agents, agent => informers.Schedules.Cache.KeysByIndex(ScheduleReferences.ByAgent, OperatorInformers.Key(agent)));
    }
}
