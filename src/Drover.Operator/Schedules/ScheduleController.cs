using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Client;
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

        // A run (a Job of its CronJob) starting, ending or going decides whether a run is stuck. The Job carries the
        // job template's labels, whose instance is the Schedule.
        controller.Watches(informers.Jobs, job => job.Metadata.Labels?.TryGetValue(ChildLabels.Instance, out var schedule) == true
            ? [new ObjectKey(job.Metadata.NamespaceProperty, schedule)]
            : []);

        return controller
            .Watches(informers.Agents, agent => informers.Schedules.Cache.KeysByIndex(ScheduleReferences.ByAgent, OperatorInformers.Key(agent)));
    }
}
