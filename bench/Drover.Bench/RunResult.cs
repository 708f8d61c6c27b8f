using System.Text.Json.Serialization;

namespace Drover.Bench;

/// <summary>The figures of one operator build driving one fleet, as latest.json holds them.</summary>
internal sealed record RunResult
{
    /// <summary><c>aot</c> or <c>jit</c>.</summary>
    public required string Build { get; init; }

    public required int Agents { get; init; }

    public int Schedules { get; init; }

    public int Providers { get; init; }

    /// <summary>Objects the operator owns once converged (ServiceAccounts, Secrets, Deployments, NetworkPolicies, CronJobs).</summary>
    public int Children { get; init; }

    /// <summary>How long the harness took to send every create; convergence is timed from the first one.</summary>
    public double SubmitSeconds { get; init; }

    /// <summary>From the first create to every Agent and Schedule Ready with all children in place.</summary>
    public double ConvergeSeconds { get; init; }

    public int Changes { get; init; }

    /// <summary>From a spec change (the write) to the harness seeing the Deployment updated, median.</summary>
    public double P50ChangeMs { get; init; }

    public double P99ChangeMs { get; init; }

    /// <summary>The operator's create/update/patch/delete requests on child kinds while converging, per child.</summary>
    public double WritesPerChild { get; init; }

    /// <summary>Every write of the operator while converging: children, status, events.</summary>
    public int ConvergeWrites { get; init; }

    /// <summary>Every request of the operator while converging (reads included), per Agent.</summary>
    public double RequestsPerAgent { get; init; }

    /// <summary>The operator's writes while converging, by resource.</summary>
    public IReadOnlyDictionary<string, int> ConvergeWritesByResource { get; init; } = new Dictionary<string, int>();

    /// <summary>Writes during a window that holds one full resync of every object, after convergence.</summary>
    public int SteadyStateWrites { get; init; }

    public double SteadyWindowSeconds { get; init; }

    /// <summary>Reconciles the operator ran in that window (the resync).</summary>
    public int SteadyReconciles { get; init; }

    /// <summary>Operator CPU over that window: what a resync of the whole fleet costs.</summary>
    public double SteadyCpuSeconds { get; init; }

    /// <summary>Resident memory after ready with no Agents (median over a few seconds).</summary>
    public double IdleRssMb { get; init; }

    /// <summary>Resident memory at steady state with the whole fleet (median over the steady window).</summary>
    public double SteadyRssMb { get; init; }

    /// <summary>Objects in the operator's informer caches at steady state (<c>drover_informer_cached_objects</c>).</summary>
    public double CachedObjects { get; init; }

    /// <summary>Their packed size in MB (<c>drover_informer_cached_packed_bytes</c>).</summary>
    public double CachedPackedMb { get; init; }

    /// <summary>Objects of other applications in the cluster (Secrets, ConfigMaps, Services), there before the operator.</summary>
    public int OtherAppObjects { get; init; }

    /// <summary>The largest resident memory of the run (VmHWM).</summary>
    public double PeakRssMb { get; init; }

    /// <summary>Operator CPU (user + system) from the first create to convergence.</summary>
    public double CpuSeconds { get; init; }

    /// <summary>Dev cluster CPU over the same span: the API server's share of the two cores.</summary>
    public double DevClusterCpuSeconds { get; init; }

    /// <summary>From process start to <c>/readyz</c> answering 200, with the API already answering (median of a few starts).</summary>
    public double StartupMs { get; init; }

    /// <summary>Every start timed; <see cref="StartupMs"/> is their median.</summary>
    public IReadOnlyList<double> StartupTrialsMs { get; init; } = [];

    public RotationResult? Rotation { get; init; }

    /// <summary>The operator's exit code after SIGTERM (0 is a clean stop).</summary>
    public int ExitCode { get; init; }

    public IReadOnlyList<TargetCheck> Targets { get; init; } = [];
}

/// <summary>A provider key rotation shared by <see cref="Agents"/> Agents.</summary>
internal sealed record RotationResult
{
    public required int Agents { get; init; }

    /// <summary>From the Secret write to every dependent Deployment rolled and every Agent Ready.</summary>
    public double Seconds { get; init; }

    /// <summary>The operator's <c>--max-concurrent-rollouts</c>.</summary>
    public int MaxConcurrentRollouts { get; init; }

    /// <summary>The most dependent Deployments the harness saw progressing at once.</summary>
    public int MaxConcurrentObserved { get; init; }

    /// <summary>Dependents that got exactly one new template (one new config hash, generation + 1).</summary>
    public int RolledExactlyOnce { get; init; }

    /// <summary>Every write of the operator during the rotation.</summary>
    public int Writes { get; init; }

    /// <summary>The operator's writes on child kinds (config Secret, Deployment), per dependent Agent.</summary>
    public double ChildWritesPerAgent { get; init; }

    public IReadOnlyDictionary<string, int> WritesByResource { get; init; } = new Dictionary<string, int>();

    public double CpuSeconds { get; init; }
}

/// <summary>One target of the benchmark issue, judged for one run.</summary>
internal sealed record TargetCheck(string Name, string Target, string Actual, bool Met);

/// <summary>latest.json.</summary>
internal sealed record BenchReport
{
    public required DateTimeOffset GeneratedAt { get; init; }

    public required MachineInfo Machine { get; init; }

    public required BenchSettings Settings { get; init; }

    public required IReadOnlyList<RunResult> Results { get; init; }

    public double WallSeconds { get; init; }
}

internal sealed record BenchSettings(IReadOnlyList<int> Fleets, IReadOnlyList<string> Builds, int Rotation, int Changes, int MaxConcurrentRollouts, double ResyncPeriodSeconds, int OtherApps);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(BenchReport))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
