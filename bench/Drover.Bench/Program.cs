using System.Diagnostics;
using Drover.Bench;

var options = BenchOptions.Parse(args, out var error, out var help);
if (help)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

if (options is null)
{
    Console.Error.WriteLine($"bench: {error}");
    return 2;
}

var repository = HarnessStart.Repository("bench");
if (repository is null)
{
    return 2;
}

options = options with
{
    Out = Path.GetFullPath(options.Out, repository),
    AotBinary = Path.GetFullPath(options.AotBinary, repository),
    JitAssembly = Path.GetFullPath(options.JitAssembly, repository),
    DevClusterAssembly = Path.GetFullPath(options.DevClusterAssembly, repository),
};
if (!HarnessStart.FilesExist(
    "bench",
    "make bench",
    (true, options.DevClusterAssembly, "dev cluster", null),
    (options.Builds.Contains("aot"), options.AotBinary, "NativeAOT operator", "hack/publish.sh linux-x64"),
    (options.Builds.Contains("jit"), options.JitAssembly, "JIT operator", null)))
{
    return 2;
}

Directory.CreateDirectory(options.Out);

// Ctrl-C or SIGTERM cancels the run; the dev cluster and operator processes are stopped on the way out.
using var cancel = new SignalCancellation();

var machine = Machine.Describe(repository);
Console.WriteLine($"bench: {machine.Cpu}, {machine.Cores} cores, {machine.MemoryGb} GB, {machine.Os}, {machine.Dotnet}, commit {machine.Commit}");
var wall = Stopwatch.StartNew();
var results = new List<RunResult>();
var failures = 0;
foreach (var fleet in options.Fleets)
{
    foreach (var build in options.Builds)
    {
        try
        {
            results.Add(await new FleetRun(options, repository, build, fleet, Console.Out).RunAsync(cancel.Token));
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Console.Error.WriteLine("bench: cancelled");
            Write(results);
            return 130;
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or HttpRequestException or IOException)
        {
            failures++;
            Console.Error.WriteLine($"bench: {build} with {fleet:N0} agents failed: {e.Message} (logs in {Path.Combine(options.Out, "logs")})");
        }

        Write(results);
    }
}

Console.WriteLine();
Console.WriteLine(Report.Table(results));
foreach (var run in results)
{
    foreach (var check in run.Targets.Where(t => !t.Met))
    {
        Console.WriteLine($"missed: {run.Build} {run.Agents:N0} {check.Name}: {check.Actual} (target {check.Target})");
    }
}

Console.WriteLine($"bench: {results.Count} runs in {wall.Elapsed.TotalMinutes:0.0} min; results in {Path.Combine(options.Out, "latest.json")} and latest.md");
return failures == 0 ? 0 : 1;

void Write(List<RunResult> runs)
{
    var report = new BenchReport
    {
        GeneratedAt = DateTimeOffset.UtcNow,
        Machine = machine,
        Settings = new BenchSettings(options.Fleets, options.Builds, options.Rotation, options.Changes, options.MaxConcurrentRollouts, options.ResyncPeriod.TotalSeconds, options.OtherApps),
        Results = runs,
        WallSeconds = Math.Round(wall.Elapsed.TotalSeconds, 1),
    };
    File.WriteAllText(Path.Combine(options.Out, "latest.json"), Report.Json(report));
    File.WriteAllText(Path.Combine(options.Out, "latest.md"), Report.Markdown(report));
}
