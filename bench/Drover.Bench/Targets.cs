using System.Globalization;

namespace Drover.Bench;

/// <summary>The targets of the benchmark issue, judged for one run on the machine it ran on.</summary>
internal static class Targets
{
    public const int ConvergeFleet = 1000;
    public const double ConvergeSeconds = 30;
    public const double WritesPerChild = 1.1;
    public const double IdleRssMb = 40;
    public const int LargeFleet = 10_000;
    public const double LargeFleetRssMb = 150;
    public const double StartupMs = 200;

    /// <summary>A rotation rewrites two children per Agent (config Secret, Deployment); 1.1 writes each, as for convergence.</summary>
    public const double RotationChildWritesPerAgent = 2 * WritesPerChild;

    public static IReadOnlyList<TargetCheck> Evaluate(RunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var checks = new List<TargetCheck>();
        if (run.Agents == ConvergeFleet)
        {
            checks.Add(new("converge", $"< {ConvergeSeconds:0} s", $"{F(run.ConvergeSeconds, 1)} s", run.ConvergeSeconds < ConvergeSeconds));
        }

        checks.Add(new("writes per child", $"<= {WritesPerChild:0.0}", F(run.WritesPerChild, 2), run.WritesPerChild <= WritesPerChild));
        checks.Add(new("steady-state writes", "0", run.SteadyStateWrites.ToString(CultureInfo.InvariantCulture), run.SteadyStateWrites == 0));
        if (run.Build == "aot")
        {
            checks.Add(new("idle RSS", $"< {IdleRssMb:0} MB", $"{F(run.IdleRssMb, 1)} MB", run.IdleRssMb < IdleRssMb));
            checks.Add(new("startup to ready", $"< {StartupMs:0} ms", $"{F(run.StartupMs, 0)} ms", run.StartupMs < StartupMs));
            if (run.Agents == LargeFleet)
            {
                checks.Add(new("peak RSS at 10,000 agents", $"< {LargeFleetRssMb:0} MB", $"{F(run.PeakRssMb, 1)} MB", run.PeakRssMb < LargeFleetRssMb));
            }
        }

        if (run.Rotation is { } rotation)
        {
            checks.Add(new(
                "rotation paced",
                $"<= {rotation.MaxConcurrentRollouts} rolling",
                rotation.MaxConcurrentObserved.ToString(CultureInfo.InvariantCulture),
                rotation.MaxConcurrentObserved <= rotation.MaxConcurrentRollouts));
            checks.Add(new(
                "rotation rolls each once",
                $"{rotation.Agents}/{rotation.Agents}",
                $"{rotation.RolledExactlyOnce}/{rotation.Agents}",
                rotation.RolledExactlyOnce == rotation.Agents));
            checks.Add(new(
                "rotation writes per agent",
                $"<= {RotationChildWritesPerAgent:0.0}",
                F(rotation.ChildWritesPerAgent, 2),
                rotation.ChildWritesPerAgent <= RotationChildWritesPerAgent));
        }

        return checks;
    }

    private static string F(double value, int decimals) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
