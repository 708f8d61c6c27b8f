using System.Diagnostics;
using Drover.Bench;
using Drover.GatewayBench;
using Drover.GatewayBench.Results;
using Drover.GatewayBench.Stub;

if (args is ["stub", .. var stubArgs])
{
    return await ServeStubAsync(stubArgs);
}

var options = GatewayBenchOptions.Parse(args, out var error, out var help);
if (help)
{
    Console.WriteLine(GatewayBenchOptions.Usage);
    return 0;
}

if (options is null)
{
    Console.Error.WriteLine($"bench-gateway: {error}");
    return 2;
}

var repository = HarnessStart.Repository("bench-gateway");
if (repository is null)
{
    return 2;
}

options = options with
{
    Out = Path.GetFullPath(options.Out, repository),
    GatewayBinary = Path.GetFullPath(options.GatewayBinary, repository),
    DevClusterAssembly = Path.GetFullPath(options.DevClusterAssembly, repository),
    PortkeyDirectory = Path.GetFullPath(options.PortkeyDirectory, repository),
};
if (!HarnessStart.FilesExist(
    "bench-gateway",
    "make bench-gateway",
    (options.Paths.Contains("drover"), options.GatewayBinary, "drover-gateway", "hack/publish.sh linux-x64"),
    (options.Paths.Contains("drover"), options.DevClusterAssembly, "dev cluster", null)))
{
    return 2;
}

// The load generator bursts on the thread pool; starting with enough threads keeps it from waiting for the pool to grow.
ThreadPool.GetMinThreads(out var workers, out var io);
ThreadPool.SetMinThreads(Math.Max(workers, 16), Math.Max(io, 16));

Directory.CreateDirectory(options.Out);

// Ctrl-C or SIGTERM cancels the run; every process it started is stopped on the way out.
using var cancel = new SignalCancellation();

var machine = Machine.Describe(repository);
var loadBefore = Machine.LoadAverage();
Console.WriteLine($"bench-gateway: {machine.Cpu}, {machine.Cores} cores, {machine.MemoryGb} GB, {machine.Os}, {machine.Dotnet}, commit {machine.Commit}; load average {loadBefore}");
var wall = Stopwatch.StartNew();
try
{
    var run = new GatewayRun(options, repository, Console.Out);
    var (paths, levels, budget) = await run.RunAsync(cancel.Token);
    var report = new GatewayReport
    {
        GeneratedAt = DateTimeOffset.UtcNow,
        Machine = machine,
        Settings = new GatewaySettings(
            options.Rates,
            options.StreamRates,
            options.Concurrency,
            options.Duration.TotalSeconds,
            options.Slice.TotalSeconds,
            options.WarmupRequests,
            options.Stub.Delay.TotalMilliseconds,
            options.Stub.CompletionTokens,
            options.Stub.ChunkTokens,
            options.DoublingFloor.TotalMilliseconds,
            options.MaxInFlight,
            options.GatewayEnvironment),
        Paths = paths,
        Levels = levels,
        Budget = budget,
        Profile = run.Profile,
        Targets = GatewayTargets.Evaluate(paths, levels),
        LoadAverage = $"{loadBefore} at the start, {Machine.LoadAverage()} at the end",
        WallSeconds = Math.Round(wall.Elapsed.TotalSeconds, 1),
    };
    File.WriteAllText(Path.Combine(options.Out, "gateway.json"), GatewayReportWriter.Json(report));
    File.WriteAllText(Path.Combine(options.Out, "gateway.md"), GatewayReportWriter.Markdown(report));
    Console.WriteLine();
    Console.WriteLine(GatewayReportWriter.Table(report));
    foreach (var target in report.Targets)
    {
        Console.WriteLine($"{(target.Met ? "pass" : "MISS")}: {target.Name} ({target.Goal}): {target.Actual}{(target.Ratio is null ? "" : "; " + target.Ratio)}");
    }

    if (budget is not null)
    {
        Console.WriteLine($"budget: the stub served {budget.StubTokens:N0} tokens against tokensPerDay {budget.BudgetTokens:N0} ({budget.OvershootTokens:+#,0;-#,0;0}, {budget.OvershootPercent:+0.00;-0.00;0}%; one reservation is {budget.ReservationTokens:N0})");
    }

    Console.WriteLine($"bench-gateway: {wall.Elapsed.TotalMinutes:0.0} min; results in {Path.Combine(options.Out, "gateway.json")} and gateway.md, logs in {Path.Combine(options.Out, "logs", "gateway")}");
    return paths.Any(p => p.Failure is not null) ? 1 : 0;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("bench-gateway: cancelled");
    return 130;
}

static async Task<int> ServeStubAsync(IReadOnlyList<string> args)
{
    var parsed = GatewayBenchOptions.ParseStub(args, out var problem);
    if (parsed is not { } stub)
    {
        Console.Error.WriteLine($"stub: {problem}");
        return 2;
    }

    using var stop = new SignalCancellation();
    await using var app = UpstreamStub.Build(stub.Stub, stub.Port, new StubCounts());
    await app.StartAsync();
    Console.WriteLine($"{Drover.GatewayBench.Paths.StubProcess.ServingLine}{UpstreamStub.Address(app)}");
    try
    {
        await Task.Delay(Timeout.Infinite, stop.Token);
    }
    catch (OperationCanceledException)
    {
    }

    await app.StopAsync();
    return 0;
}
