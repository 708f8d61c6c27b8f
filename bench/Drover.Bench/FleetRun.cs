using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Informers;
using Drover.Operator.Children;
using Drover.Operator.Hosting;
using Drover.Operator.Rollouts;
using k8s.Models;

namespace Drover.Bench;

/// <summary>
/// One measurement: a fresh dev cluster and a fresh operator process of one build, driven through the phases of the
/// issue in order (startup, idle, converge, steady state, spec changes, key rotation), each phase timed from what the
/// harness observes on its own watches.
/// </summary>
internal sealed class FleetRun(BenchOptions options, string repository, string build, int agents, TextWriter log)
{
    /// <summary>Creates in flight at once: enough that the harness is not what the operator waits for.</summary>
    private const int SubmitConcurrency = 32;

    private const int StartupTrials = 3;

    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan QuietFor = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan RotationStall = TimeSpan.FromMinutes(2);

    private static readonly (string Path, string Resource)[] ChildCollections =
    [
        ("/api/v1/serviceaccounts", "serviceaccounts"),
        ("/api/v1/secrets", "secrets"),
        ("/apis/apps/v1/deployments", "deployments"),
        ("/api/v1/services", "services"),
        ("/apis/networking.k8s.io/v1/networkpolicies", "networkpolicies"),
        ("/api/v1/persistentvolumeclaims", "persistentvolumeclaims"),
        ("/apis/batch/v1/cronjobs", "cronjobs"),
    ];

    private readonly FleetPlan _plan = new(agents, options.Rotation, options.OtherApps);
    private readonly List<double> _rssSamples = [];

    public async Task<RunResult> RunAsync(CancellationToken cancellationToken)
    {
        var logs = Path.Combine(options.Out, "logs");
        Directory.CreateDirectory(logs);
        var name = $"{build}-{agents.ToString(CultureInfo.InvariantCulture)}";
        var kubeconfig = Path.GetFullPath(Path.Combine(logs, name + ".kubeconfig"));
        Say($"starting the dev cluster");
        await using var devCluster = ChildProcess.Start("dotnet", [options.DevClusterAssembly, "--port", "0", "--simulate-kubelet", "--kubeconfig", kubeconfig], Path.Combine(logs, name + "-devcluster.log"));
        var serving = await devCluster.WaitForLineAsync("dev cluster serving on ", TimeSpan.FromSeconds(60));
        using var cluster = new BenchCluster(new Uri(serving["dev cluster serving on ".Length..].Trim()));
        await cluster.InstallCrdsAsync(Path.Combine(repository, "crds"), cancellationToken);

        // The namespaces and what other applications keep in them are there before the operator, as on a cluster
        // Drover is installed into.
        await cluster.CreateAllAsync(_plan.Namespaces(), 1, cancellationToken);
        List<JsonObject> otherApps = [.. _plan.OtherApps()];
        await cluster.CreateAllAsync(otherApps, SubmitConcurrency, cancellationToken);
        if (otherApps.Count > 0)
        {
            Say($"{otherApps.Count:N0} objects of other applications created");
        }

        var metricsPort = LoopbackPort.Free();
        var healthPort = LoopbackPort.Free();
        var operatorArgs = new List<string>
        {
            "run",
            "--kubeconfig", kubeconfig,
            "--metrics-address", $"127.0.0.1:{metricsPort.ToString(CultureInfo.InvariantCulture)}",
            "--health-address", $"127.0.0.1:{healthPort.ToString(CultureInfo.InvariantCulture)}",
            "--max-concurrent-rollouts", options.MaxConcurrentRollouts.ToString(CultureInfo.InvariantCulture),
            "--resync-period", options.ResyncPeriodArgument,
        };
        var (file, args) = build == "aot" ? (options.AotBinary, operatorArgs) : ("dotnet", operatorArgs.Prepend(options.JitAssembly).ToList());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var readyz = new Uri($"http://127.0.0.1:{healthPort.ToString(CultureInfo.InvariantCulture)}/readyz");
        var metrics = new Uri($"http://127.0.0.1:{metricsPort.ToString(CultureInfo.InvariantCulture)}/metrics");

        // Startup is short and a busy machine makes any one start noisy: start a few times, keep the median, run the last.
        var startups = new List<double>();
        ChildProcess? starting = null;
        for (var trial = 1; trial <= StartupTrials; trial++)
        {
            if (starting is not null)
            {
                await starting.StopAsync(TimeSpan.FromSeconds(30));
                await starting.DisposeAsync();
            }

            starting = ChildProcess.Start(file, args, Path.Combine(logs, $"{name}-operator{(trial == StartupTrials ? "" : "-start" + trial.ToString(CultureInfo.InvariantCulture))}.log"));
            startups.Add(await WaitReadyAsync(starting, http, readyz, cancellationToken));
        }

        await using var op = starting!;
        var startupMs = Statistics.Median(startups);
        Say($"ready after {string.Join(", ", startups.Select(s => s.ToString("0", CultureInfo.InvariantCulture)))} ms (median {startupMs:0})");

        var idle = new List<double>();
        await SampleForAsync(op, IdleWindow, idle, cancellationToken);
        var idleRss = Statistics.Median(idle);
        Say($"idle RSS {idleRss:0.0} MB");

        await using var watch = new FleetWatch(cluster);
        await watch.HasSynced.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        using var sampling = new CancellationTokenSource();
        var sampler = SampleContinuouslyAsync(op, sampling.Token);

        // Converge: from the first create to every Agent and Schedule Ready.
        await cluster.ResetCountsAsync(cancellationToken);
        var opBefore = op.Sample();
        var clusterBefore = devCluster.Sample();
        var started = Stopwatch.GetTimestamp();
        Say($"creating {_plan.Agents:N0} agents, {_plan.Schedules:N0} schedules, {_plan.Providers:N0} providers");
        await cluster.CreateAllAsync(_plan.Credentials(), SubmitConcurrency, cancellationToken);
        await cluster.CreateAllAsync(_plan.ModelProviders(), SubmitConcurrency, cancellationToken);
        await cluster.CreateAllAsync(_plan.Workloads(), SubmitConcurrency, cancellationToken);
        var submitSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Say($"submitted in {submitSeconds:0.0} s");
        await WaitConvergedAsync(watch, ConvergeTimeout, started, cancellationToken);
        var convergeSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var opConverged = op.Sample();
        var clusterConverged = devCluster.Sample();
        Say($"converged in {convergeSeconds:0.0} s (operator CPU {opConverged.CpuSeconds - opBefore.CpuSeconds:0.0} s, dev cluster CPU {clusterConverged.CpuSeconds - clusterBefore.CpuSeconds:0.0} s)");

        await SettleAsync(cluster, http, metrics, cancellationToken);
        var converge = await cluster.CountsAsync(cancellationToken);
        var children = 0;
        foreach (var (path, _) in ChildCollections)
        {
            children += await cluster.CountAsync(path, $"{ChildLabels.ManagedBy}={ChildLabels.ManagedByValue}", cancellationToken);
        }

        var writesPerChild = children == 0 ? 0 : converge.OperatorChildWrites / (double)children;
        Say($"{children:N0} children, {converge.OperatorChildWrites:N0} child writes ({writesPerChild:0.00} per child), {converge.OperatorWrites:N0} writes in all");

        var steady = await SteadyStateAsync(cluster, http, metrics, op, cancellationToken);
        Say($"steady state: {steady.Writes} writes over {steady.Seconds:0.0} s ({steady.Reconciles:N0} reconciles, {steady.CpuSeconds:0.0} CPU s), RSS {steady.RssMb:0.0} MB, {steady.Cache.CachedObjects:N0} objects cached in {steady.Cache.CachedPackedBytes / 1e6:0.0} MB packed");

        var latencies = await ChangeLatencyAsync(cluster, watch, cancellationToken);
        Say($"spec change to Deployment update: p50 {Statistics.Percentile(latencies, 50):0} ms, p99 {Statistics.Percentile(latencies, 99):0} ms");
        await WaitConvergedAsync(watch, TimeSpan.FromMinutes(2), Stopwatch.GetTimestamp(), cancellationToken);
        await SettleAsync(cluster, http, metrics, cancellationToken);

        var rotation = await RotateAsync(cluster, watch, http, metrics, op, cancellationToken);
        Say($"rotation of {rotation.Agents:N0}: {rotation.Seconds:0.0} s, at most {rotation.MaxConcurrentObserved} rolling, {rotation.RolledExactlyOnce:N0} rolled once, {rotation.ChildWritesPerAgent:0.00} child writes per agent");

        await sampling.CancelAsync();
        await sampler;
        var final = op.Sample();
        var exit = await op.StopAsync(TimeSpan.FromSeconds(30));
        await devCluster.StopAsync(TimeSpan.FromSeconds(30));

        var result = new RunResult
        {
            Build = build,
            Agents = agents,
            Schedules = _plan.Schedules,
            Providers = _plan.Providers,
            Children = children,
            SubmitSeconds = Math.Round(submitSeconds, 2),
            ConvergeSeconds = Math.Round(convergeSeconds, 2),
            Changes = latencies.Count,
            P50ChangeMs = Math.Round(Statistics.Percentile(latencies, 50), 1),
            P99ChangeMs = Math.Round(Statistics.Percentile(latencies, 99), 1),
            WritesPerChild = Math.Round(writesPerChild, 3),
            ConvergeWrites = converge.OperatorWrites,
            RequestsPerAgent = Math.Round(converge.OperatorRequests / (double)agents, 2),
            ConvergeWritesByResource = converge.OperatorWritesByResource().ToDictionary(p => p.Resource, p => p.Count),
            SteadyStateWrites = steady.Writes,
            SteadyWindowSeconds = Math.Round(steady.Seconds, 1),
            SteadyReconciles = steady.Reconciles,
            SteadyCpuSeconds = Math.Round(steady.CpuSeconds, 2),
            IdleRssMb = Math.Round(idleRss, 1),
            SteadyRssMb = Math.Round(steady.RssMb, 1),
            CachedObjects = steady.Cache.CachedObjects,
            CachedPackedMb = Math.Round(steady.Cache.CachedPackedBytes / 1e6, 1),
            OtherAppObjects = otherApps.Count,
            PeakRssMb = Math.Round(final.PeakRssMb, 1),
            CpuSeconds = Math.Round(opConverged.CpuSeconds - opBefore.CpuSeconds, 2),
            DevClusterCpuSeconds = Math.Round(clusterConverged.CpuSeconds - clusterBefore.CpuSeconds, 2),
            StartupMs = Math.Round(startupMs, 1),
            StartupTrialsMs = [.. startups.Select(t => Math.Round(t, 1))],
            Rotation = rotation,
            ExitCode = exit,
        };
        return result with { Targets = Targets.Evaluate(result) };
    }

    private TimeSpan ConvergeTimeout => TimeSpan.FromSeconds(120 + (agents * 0.1));

    private void Say(string message) =>
        log.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {build} {agents,6:N0}: {message}");

    /// <summary>Polls <c>/readyz</c> every 2 ms; the time is from process start to the first 200.</summary>
    private static async Task<double> WaitReadyAsync(ChildProcess op, HttpClient http, Uri readyz, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 60);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (op.HasExited)
            {
                throw new InvalidOperationException("the operator exited before it was ready; see its log");
            }

            try
            {
                using var response = await http.GetAsync(readyz, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return Stopwatch.GetElapsedTime(op.StartedAt).TotalMilliseconds;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(2, cancellationToken);
        }

        throw new TimeoutException("the operator was not ready within 60 s");
    }

    private static async Task SampleForAsync(ChildProcess process, TimeSpan window, List<double> samples, CancellationToken cancellationToken)
    {
        var end = Stopwatch.GetTimestamp() + (long)(window.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end)
        {
            samples.Add(process.Sample().RssMb);
            await Task.Delay(100, cancellationToken);
        }
    }

    private async Task SampleContinuouslyAsync(ChildProcess process, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var rss = process.Sample().RssMb;
                lock (_rssSamples)
                {
                    _rssSamples.Add(rss);
                }

                await Task.Delay(250, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task WaitConvergedAsync(FleetWatch watch, TimeSpan timeout, long since, CancellationToken cancellationToken)
    {
        var lastReport = Stopwatch.GetTimestamp();
        await Poll.UntilAsync(
            () =>
            {
                if (watch.IsConverged(_plan))
                {
                    return true;
                }

                if (Stopwatch.GetElapsedTime(lastReport) > TimeSpan.FromSeconds(10))
                {
                    lastReport = Stopwatch.GetTimestamp();
                    Say($"  {Stopwatch.GetElapsedTime(since).TotalSeconds:0} s: {watch.ReadyAgents:N0}/{_plan.Agents:N0} agents ready, {watch.Deployments.Cache.Count:N0} deployments");
                }

                return false;
            },
            timeout,
            "every Agent and Schedule to be Ready",
            cancellationToken,
            TimeSpan.FromMilliseconds(100));
    }

    /// <summary>Waits until the operator's queues are empty and it has written nothing for a few seconds.</summary>
    private static async Task SettleAsync(BenchCluster cluster, HttpClient http, Uri metrics, CancellationToken cancellationToken)
    {
        var lastWrites = -1;
        var quietSince = Stopwatch.GetTimestamp();
        await Poll.UntilAsync(
            async () =>
            {
                var writes = (await cluster.CountsAsync(cancellationToken)).OperatorWrites;
                var queuesEmpty = (await OperatorMetrics.ScrapeAsync(http, metrics, cancellationToken)).QueuesEmpty;
                if (writes != lastWrites || !queuesEmpty)
                {
                    lastWrites = writes;
                    quietSince = Stopwatch.GetTimestamp();
                    return false;
                }

                return Stopwatch.GetElapsedTime(quietSince) >= QuietFor;
            },
            TimeSpan.FromMinutes(5),
            "the operator to settle",
            cancellationToken,
            TimeSpan.FromMilliseconds(250));
    }

    /// <summary>Counts writes over a window that holds one full resync: every Agent and Schedule reconciled again.</summary>
    private async Task<(int Writes, double Seconds, int Reconciles, double RssMb, double CpuSeconds, OperatorMetrics Cache)> SteadyStateAsync(
        BenchCluster cluster, HttpClient http, Uri metrics, ChildProcess op, CancellationToken cancellationToken)
    {
        await cluster.ResetCountsAsync(cancellationToken);
        lock (_rssSamples)
        {
            _rssSamples.Clear();
        }

        var before = await OperatorMetrics.ScrapeAsync(http, metrics, cancellationToken);
        var cpuBefore = op.Sample().CpuSeconds;
        var started = Stopwatch.GetTimestamp();
        var reconciles = 0.0;
        var last = before;
        await Poll.UntilAsync(
            async () =>
            {
                var now = last = await OperatorMetrics.ScrapeAsync(http, metrics, cancellationToken);
                var agentReconciles = now.ReconcilesOf("agents") - before.ReconcilesOf("agents");
                var scheduleReconciles = now.ReconcilesOf("schedules") - before.ReconcilesOf("schedules");
                reconciles = now.Reconciles.Values.Sum() - before.Reconciles.Values.Sum();

                // Not "and the queues are empty": an operator whose resync outlasts the period never gets there, and
                // the CPU figure of this window shows that instead.
                return agentReconciles >= _plan.Agents && scheduleReconciles >= _plan.Schedules;
            },
            (options.ResyncPeriod * 2) + ConvergeTimeout,
            "a full resync",
            cancellationToken,
            TimeSpan.FromMilliseconds(250));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpu = op.Sample().CpuSeconds - cpuBefore;
        var counts = await cluster.CountsAsync(cancellationToken);
        double rss;
        lock (_rssSamples)
        {
            rss = _rssSamples.Count == 0 ? op.Sample().RssMb : Statistics.Median(_rssSamples);
        }

        return (counts.OperatorWrites, seconds, (int)reconciles, rss, cpu, last);
    }

    /// <summary>Changes the image of agents spread over the fleet, one at a time, timing each to its Deployment update.</summary>
    private async Task<List<double>> ChangeLatencyAsync(BenchCluster cluster, FleetWatch watch, CancellationToken cancellationToken)
    {
        var waiting = new Dictionary<ObjectKey, TaskCompletionSource>();
        var gate = new Lock();
        watch.Deployments.AddHandler(new ResourceChangeHandler<V1Deployment>
        {
            OnUpdated = (_, deployment) =>
            {
                if (deployment.Spec?.Template?.Spec?.Containers?.FirstOrDefault()?.Image != FleetPlan.ChangedImage)
                {
                    return;
                }

                lock (gate)
                {
                    if (waiting.Remove(ObjectKey.Of(deployment), out var seen))
                    {
                        seen.TrySetResult();
                    }
                }
            },
        });

        var changes = Math.Min(options.Changes, agents);
        var latencies = new List<double>(changes);
        for (var k = 0; k < changes; k++)
        {
            var (ns, name) = _plan.Agent((int)((long)k * agents / changes));
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (gate)
            {
                waiting[new ObjectKey(ns, name)] = seen;
            }

            var sent = Stopwatch.GetTimestamp();
            await cluster.MergePatchAsync(
                $"/apis/drover.dev/v1alpha1/namespaces/{ns}/agents/{name}",
                new JsonObject { ["spec"] = new JsonObject { ["image"] = FleetPlan.ChangedImage } },
                cancellationToken);
            await seen.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
        }

        return latencies;
    }

    /// <summary>Rotates the shared provider's key and follows every dependent Deployment until all rolled and are Ready.</summary>
    private async Task<RotationResult> RotateAsync(BenchCluster cluster, FleetWatch watch, HttpClient http, Uri metrics, ChildProcess op, CancellationToken cancellationToken)
    {
        var dependents = _plan.SharedProviderAgents.Select(a => new ObjectKey(a.Namespace, a.Name)).ToHashSet();
        var before = new Dictionary<ObjectKey, (long Generation, string? Hash)>();
        foreach (var key in dependents)
        {
            var deployment = watch.Deployments.Cache.Get(key) ?? throw new InvalidOperationException($"no Deployment for {key}");
            before[key] = (deployment.Metadata.Generation ?? 0, DeploymentProgress.ConfigHash(deployment, ChildLabels.ConfigHashAnnotation));
        }

        var newHashes = dependents.ToDictionary(k => k, _ => new HashSet<string>(StringComparer.Ordinal));
        var rolling = new HashSet<ObjectKey>();
        var maxRolling = 0;
        var gate = new Lock();
        watch.Deployments.AddHandler(new ResourceChangeHandler<V1Deployment>
        {
            OnUpdated = (_, deployment) =>
            {
                var key = ObjectKey.Of(deployment);
                if (!dependents.Contains(key))
                {
                    return;
                }

                lock (gate)
                {
                    if (DeploymentProgress.ConfigHash(deployment, ChildLabels.ConfigHashAnnotation) is { } hash && hash != before[key].Hash)
                    {
                        newHashes[key].Add(hash);
                    }

                    if (DeploymentProgress.IsProgressing(deployment))
                    {
                        rolling.Add(key);
                    }
                    else
                    {
                        rolling.Remove(key);
                    }

                    maxRolling = Math.Max(maxRolling, rolling.Count);
                }
            },
        });

        await cluster.ResetCountsAsync(cancellationToken);
        var cpuBefore = op.Sample().CpuSeconds;
        var started = Stopwatch.GetTimestamp();
        await cluster.MergePatchAsync(
            $"/api/v1/namespaces/{FleetPlan.PlatformNamespace}/secrets/{FleetPlan.SharedSecret}",
            new JsonObject { ["stringData"] = new JsonObject { [FleetPlan.SecretKey] = "sk-shared-2" } },
            cancellationToken);
        var lastReport = Stopwatch.GetTimestamp();
        var lastDone = 0;
        var lastProgress = Stopwatch.GetTimestamp();
        await Poll.UntilAsync(
            () =>
            {
                var done = 0;
                foreach (var key in dependents)
                {
                    var deployment = watch.Deployments.Cache.Get(key);
                    var agent = watch.Agents.Cache.Get(key);
                    if (deployment is not null && agent is not null
                        && DeploymentProgress.ConfigHash(deployment, ChildLabels.ConfigHashAnnotation) != before[key].Hash
                        && !DeploymentProgress.IsProgressing(deployment)
                        && ConvergenceWatcher.IsConverged([agent], []))
                    {
                        done++;
                    }
                }

                if (Stopwatch.GetElapsedTime(lastReport) > TimeSpan.FromSeconds(10))
                {
                    lastReport = Stopwatch.GetTimestamp();
                    Say($"  rotation {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s: {done:N0}/{dependents.Count:N0} rolled");
                }

                // A slow rotation is a result; only one that stopped making progress is a failure.
                if (done != lastDone)
                {
                    lastDone = done;
                    lastProgress = Stopwatch.GetTimestamp();
                }
                else if (Stopwatch.GetElapsedTime(lastProgress) > RotationStall)
                {
                    throw new TimeoutException($"the rotation made no progress for {RotationStall.TotalSeconds:0} s ({done:N0}/{dependents.Count:N0} rolled)");
                }

                return done == dependents.Count;
            },
            TimeSpan.FromHours(1),
            "every dependent agent to roll to the new key",
            cancellationToken,
            TimeSpan.FromMilliseconds(100));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpu = op.Sample().CpuSeconds - cpuBefore;

        await SettleAsync(cluster, http, metrics, cancellationToken);
        var counts = await cluster.CountsAsync(cancellationToken);
        int once;
        int observed;
        lock (gate)
        {
            once = dependents.Count(key => newHashes[key].Count == 1 && watch.Deployments.Cache.Get(key)?.Metadata.Generation == before[key].Generation + 1);
            observed = maxRolling;
        }

        return new RotationResult
        {
            Agents = dependents.Count,
            Seconds = Math.Round(seconds, 2),
            MaxConcurrentRollouts = options.MaxConcurrentRollouts,
            MaxConcurrentObserved = observed,
            RolledExactlyOnce = once,
            Writes = counts.OperatorWrites,
            ChildWritesPerAgent = Math.Round(counts.OperatorChildWrites / (double)dependents.Count, 3),
            WritesByResource = counts.OperatorWritesByResource().ToDictionary(p => p.Resource, p => p.Count),
            CpuSeconds = Math.Round(cpu, 2),
        };
    }
}
