using System.Globalization;
using System.Text;
using Drover.Bench;
using Drover.GatewayBench.Load;
using Drover.GatewayBench.Paths;
using Drover.GatewayBench.Profiling;
using Drover.GatewayBench.Results;
using Drover.GatewayBench.Stub;

namespace Drover.GatewayBench;

/// <summary>
/// One run: the stub, drover-gateway (on its dev cluster) and Portkey started side by side, every path checked to
/// reach the stub, then the same loads on each path in turn, level by level: open-loop rates (JSON), streamed rates
/// (time to first byte), closed-loop callers; then a budget spent by many callers at once through drover-gateway.
/// </summary>
internal sealed class GatewayRun(GatewayBenchOptions options, string repository, TextWriter log)
{
    /// <summary>Tokens a request may answer with (max_tokens): with the body's estimate, what the gateway reserves for it.</summary>
    public const int MaxTokens = 256;

    private const int WarmupConcurrency = 8;
    private static readonly TimeSpan WarmupDeadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan BudgetDeadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RefusedFor = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan StatusDeadline = TimeSpan.FromSeconds(45);

    private readonly List<LevelResult> _levels = [];
    private readonly Dictionary<string, string> _failures = new(StringComparer.Ordinal);
    private readonly Dictionary<int, double> _loadedRss = [];
    private StubProcess _stub = null!;
    private DroverGateway? _drover;

    /// <summary>The request bodies: a short chat, and the same asking for a stream with usage.</summary>
    public static byte[] Body(bool stream) => Encoding.UTF8.GetBytes(
        "{\"model\":\"" + DroverGateway.Model + "\",\"max_tokens\":" + MaxTokens.ToString(CultureInfo.InvariantCulture)
        + ",\"messages\":[{\"role\":\"system\",\"content\":\"You are a benchmark.\"},{\"role\":\"user\",\"content\":\"Tell me about foxes.\"}]"
        + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "") + "}");

    /// <summary>Where drover-gateway's CPU went at 1,000 req/s (perf), when it was profiled.</summary>
    public ProfileResult? Profile { get; private set; }

    public async Task<(IReadOnlyList<PathSummary> Paths, IReadOnlyList<LevelResult> Levels, BudgetResult? Budget)> RunAsync(CancellationToken cancellationToken)
    {
        var logs = Path.Combine(options.Out, "logs", "gateway");
        Directory.CreateDirectory(logs);
        Say("starting the stub");
        await using var stub = await StubProcess.StartAsync(options, logs);
        _stub = stub;
        Say($"stub on {stub.Address} (delay {options.Stub.Delay.TotalMilliseconds:0.###} ms, {options.Stub.CompletionTokens} tokens, {options.Stub.ChunkTokens} per chunk)");

        var paths = new List<(BenchPath Path, string Runs)>
        {
            (new BenchPath(BenchPath.Direct, stub.ChatUrl, [new("Authorization", "Bearer " + ChatReply.Key(BenchPath.Direct))], BenchPath.Direct, null), "the stub itself (Kestrel, .NET)"),
        };
        PortkeyGateway? portkey = null;
        try
        {
            if (options.Paths.Contains(BenchPath.Drover))
            {
                try
                {
                    Say("starting the dev cluster and drover-gateway");
                    _drover = await DroverGateway.StartAsync(options, repository, stub, logs, log, cancellationToken);
                    paths.Add((_drover.Path, _drover.Version));
                }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException or HttpRequestException or IOException or System.ComponentModel.Win32Exception)
                {
                    Fail(BenchPath.Drover, "did not start: " + e.Message);
                }
            }

            if (options.Paths.Contains(BenchPath.Portkey))
            {
                try
                {
                    Say("starting Portkey");
                    portkey = await PortkeyGateway.StartAsync(options, stub, logs, cancellationToken);
                    paths.Add((portkey.Path, portkey.Version));
                    Say($"{portkey.Version} on {portkey.Path.ChatUrl.Authority} (pid {portkey.Process.Id.ToString(CultureInfo.InvariantCulture)})");
                }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException or HttpRequestException or IOException or System.ComponentModel.Win32Exception)
                {
                    Fail(BenchPath.Portkey, "did not start: " + e.Message);
                }
            }

            var idle = await IdleRssAsync(paths.Select(p => p.Path), cancellationToken);
            var clients = paths.ToDictionary(p => p.Path.Name, p => new PathClient(p.Path, options.MaxInFlight), StringComparer.Ordinal);
            try
            {
                foreach (var client in clients.Values)
                {
                    await CheckReachesStubAsync(client, cancellationToken);
                }

                var live = clients.Values.Where(c => !_failures.ContainsKey(c.Path.Name)).ToList();
                using var sampling = new CancellationTokenSource();
                var sampler = SampleRssAsync(live.Select(c => c.Path.ProcessId).OfType<int>().ToList(), sampling.Token);
                foreach (var client in live)
                {
                    var started = System.Diagnostics.Stopwatch.GetTimestamp();
                    var json = options.WarmupRequests * 2 / 3;
                    await ClosedLoop.RunAsync(client, Body(false), false, WarmupConcurrency, WarmupDeadline, After(json), cancellationToken);
                    await ClosedLoop.RunAsync(client, Body(true), true, WarmupConcurrency, WarmupDeadline, After(options.WarmupRequests - json), cancellationToken);
                    Say($"warmed up {client.Path.Name} with {options.WarmupRequests:N0} requests in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
                }

                await RatesAsync(live, cancellationToken);
                if (options.Profile && live.Find(c => c.Path.Name == BenchPath.Drover) is { } profiled)
                {
                    await ProfileAsync(profiled, logs, cancellationToken);
                }

                await StreamsAsync(live, cancellationToken);
                await ConcurrencyAsync(live, cancellationToken);
                await sampling.CancelAsync();
                await sampler;

                var budget = _drover is not null && options.BudgetTokens > 0 && !_failures.ContainsKey(BenchPath.Drover)
                    ? await BudgetAsync(_drover, cancellationToken)
                    : null;
                var summaries = paths.Select(p => Summarize(p.Path, p.Runs, idle.TryGetValue(p.Path.Name, out var rss) ? rss : null)).ToList();
                foreach (var name in options.Paths.Where(n => paths.All(p => p.Path.Name != n)))
                {
                    summaries.Add(new PathSummary { Path = name, Failure = _failures.GetValueOrDefault(name, "not started") });
                }

                return (summaries, _levels, budget);
            }
            finally
            {
                foreach (var client in clients.Values)
                {
                    client.Dispose();
                }
            }
        }
        finally
        {
            if (portkey is not null)
            {
                await portkey.DisposeAsync();
            }

            if (_drover is not null)
            {
                await _drover.DisposeAsync();
            }
        }
    }

    /// <summary>One JSON and one streamed request: both answered whole, and both counted by the stub under this path's key.</summary>
    private async Task CheckReachesStubAsync(PathClient client, CancellationToken cancellationToken)
    {
        var before = (await _stub.StatsAsync(cancellationToken)).Served(client.Path.StubKey).Requests;
        var json = await client.CallAsync(Body(false), false, cancellationToken);
        var stream = await client.CallAsync(Body(true), true, cancellationToken);
        var stats = await _stub.StatsAsync(cancellationToken);
        var served = stats.Served(client.Path.StubKey).Requests - before;
        if (!json.Ok || !stream.Ok)
        {
            Fail(client.Path.Name, $"its requests fail (JSON: {json.Error ?? "ok"}; stream: {stream.Error ?? "ok"}); the stub served {served} of them");
        }
        else if (served != 2)
        {
            Fail(client.Path.Name, $"answered 2 requests but the stub served {served} of them under key sk-bench-{client.Path.StubKey}");
        }
        else
        {
            Say($"{client.Path.Name} reaches the stub ({client.Path.ChatUrl})");
        }
    }

    private async Task RatesAsync(List<PathClient> clients, CancellationToken cancellationToken)
    {
        var saturated = new HashSet<string>(StringComparer.Ordinal);
        var json = Body(false);
        foreach (var rate in options.Rates)
        {
            var running = new List<PathClient>();
            foreach (var client in clients)
            {
                var name = client.Path.Name;
                if (saturated.Contains(BenchPath.Direct))
                {
                    _levels.Add(Skipped(name, LevelResult.RateMode, false, rate, "the harness could not keep up direct at a lower rate"));
                }
                else if (saturated.Contains(name))
                {
                    _levels.Add(Skipped(name, LevelResult.RateMode, false, rate, "fell behind at a lower rate"));
                }
                else
                {
                    running.Add(client);
                }
            }

            if (running.Count == 0)
            {
                continue;
            }

            foreach (var level in await MeasureLevelAsync(running, LevelResult.RateMode, false, rate, (c, slice) => OpenLoop.RunAsync(c, json, false, rate, slice, options.MaxInFlight, cancellationToken), cancellationToken))
            {
                _levels.Add(level);
                if (Ladder.Saturated(level))
                {
                    saturated.Add(level.Path);
                }
            }
        }

        // Each path's rates judged against its own lowest rate, and set against direct at the same rate.
        foreach (var client in clients)
        {
            var mine = _levels.Where(l => l.Path == client.Path.Name && l.Mode == LevelResult.RateMode && !l.Stream).OrderBy(l => l.Offered).ToList();
            var lowest = mine.FirstOrDefault(l => l.Skipped is null);
            foreach (var level in mine)
            {
                var direct = Find(BenchPath.Direct, LevelResult.RateMode, false, level.Offered);
                var judged = Ladder.WithAdded(level, client.Path.Name == BenchPath.Direct ? null : direct) with
                {
                    Verdict = lowest is null ? "not run" : Ladder.Verdict(level, lowest.P99Ms, options.DoublingFloor.TotalMilliseconds),
                };
                _levels[_levels.IndexOf(level)] = judged;
            }
        }
    }

    private async Task StreamsAsync(List<PathClient> clients, CancellationToken cancellationToken)
    {
        var body = Body(true);
        foreach (var rate in options.StreamRates)
        {
            _levels.AddRange(await MeasureLevelAsync(clients, LevelResult.RateMode, true, rate, (c, slice) => OpenLoop.RunAsync(c, body, true, rate, slice, options.MaxInFlight, cancellationToken), cancellationToken));
        }

        AddDirectComparison(LevelResult.RateMode, true);
    }

    private async Task ConcurrencyAsync(List<PathClient> clients, CancellationToken cancellationToken)
    {
        var body = Body(false);
        foreach (var callers in options.Concurrency)
        {
            _levels.AddRange(await MeasureLevelAsync(clients, LevelResult.ConcurrencyMode, false, callers, (c, slice) => ClosedLoop.RunAsync(c, body, false, callers, slice, null, cancellationToken), cancellationToken));
        }

        AddDirectComparison(LevelResult.ConcurrencyMode, false);
    }

    private void AddDirectComparison(string mode, bool stream)
    {
        for (var i = 0; i < _levels.Count; i++)
        {
            var level = _levels[i];
            if (level.Mode == mode && level.Stream == stream && level.Path != BenchPath.Direct)
            {
                _levels[i] = Ladder.WithAdded(level, Find(BenchPath.Direct, mode, stream, level.Offered));
            }
        }
    }

    /// <summary>
    /// Runs one level on every path, in slices taken in turn (path order rotating each slice), so that whatever else
    /// the machine does while the level runs falls on every path alike; then reads what each path cost: its gateway,
    /// the stub and the harness, during its own slices only.
    /// </summary>
    private async Task<List<LevelResult>> MeasureLevelAsync(List<PathClient> clients, string mode, bool stream, int offered, Func<PathClient, TimeSpan, Task<LoadSample>> run, CancellationToken cancellationToken)
    {
        var slices = Math.Max(1, (int)Math.Round(options.Duration / options.Slice));
        var slice = options.Duration / slices;
        var tallies = clients.ToDictionary(c => c.Path.Name, _ => new Tally(), StringComparer.Ordinal);
        var gcBefore = _drover is not null && tallies.ContainsKey(BenchPath.Drover) ? await _drover.GcAsync(cancellationToken) : null;
        for (var s = 0; s < slices; s++)
        {
            for (var k = 0; k < clients.Count; k++)
            {
                var client = clients[(s + k) % clients.Count];
                var tally = tallies[client.Path.Name];
                var path = client.Path;
                var stats = await _stub.StatsAsync(cancellationToken);
                var (served, refused) = (stats.Served(path.StubKey).Requests, stats.Refused(path.StubKey));
                var gateway = path.ProcessId is { } pid ? ProcessSample.Of(pid) : (ProcessSample?)null;
                var stub = _stub.Process.Sample();
                var harness = ProcessSample.Of(Environment.ProcessId);

                tally.Samples.Add(await run(client, slice));

                if (gateway is { } g)
                {
                    var now = ProcessSample.Of(path.ProcessId!.Value);
                    tally.GatewayCpu += now.CpuSeconds - g.CpuSeconds;
                    tally.GatewayRss = now.RssMb;
                }

                tally.StubCpu += _stub.Process.Sample().CpuSeconds - stub.CpuSeconds;
                tally.HarnessCpu += ProcessSample.Of(Environment.ProcessId).CpuSeconds - harness.CpuSeconds;
                stats = await _stub.StatsAsync(cancellationToken);
                tally.Served += stats.Served(path.StubKey).Requests - served;
                tally.Refused += stats.Refused(path.StubKey) - refused;
            }
        }

        // The GC is read over the whole level (the scrape itself costs the gateway CPU, so not per slice).
        var gcAfter = gcBefore is not null ? await _drover!.GcAsync(cancellationToken) : null;
        var gc = gcBefore is not null && gcAfter is not null ? gcAfter.Since(gcBefore) : null;
        return [.. clients.Select(c => Result(c.Path, tallies[c.Path.Name], mode, stream, offered, c.Path.Name == BenchPath.Drover ? gc : null))];
    }

    private LevelResult Result(BenchPath path, Tally tally, string mode, bool stream, int offered, GcReading? gc)
    {
        var sample = LoadSample.Merge(tally.Samples);
        var errors = sample.Errors().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var answered = sample.Answered;

        // An answer the stub did not serve did not go through the path: it is not counted as one.
        if (tally.Served < answered)
        {
            errors["answered without reaching the stub"] = (int)(answered - tally.Served);
            answered = (int)tally.Served;
        }

        if (tally.Refused > 0)
        {
            errors["refused by the stub (wrong path or key)"] = (int)tally.Refused;
        }

        var latencies = sample.LatenciesMs();
        var firstBytes = stream ? sample.FirstByteMs() : [];
        var measured = path.ProcessId is not null;
        var level = new LevelResult
        {
            Path = path.Name,
            Mode = mode,
            Stream = stream,
            Offered = offered,
            Requests = sample.Requests,
            Answered = answered,
            AnsweredPerSecond = Math.Round(sample.Seconds <= 0 ? 0 : answered / sample.Seconds, 1),
            Errors = errors,
            P50Ms = R(LoadSample.Percentile(latencies, 50)),
            P90Ms = R(LoadSample.Percentile(latencies, 90)),
            P99Ms = R(LoadSample.Percentile(latencies, 99)),
            MaxMs = R(LoadSample.Percentile(latencies, 100)),
            FirstByteP50Ms = stream ? R(LoadSample.Percentile(firstBytes, 50)) : null,
            FirstByteP99Ms = stream ? R(LoadSample.Percentile(firstBytes, 99)) : null,
            SendLagP99Ms = R(LoadSample.Percentile(sample.SendLagMs(), 99)),
            StubServed = tally.Served,
            GatewayCpuSeconds = measured ? Math.Round(tally.GatewayCpu, 2) : null,
            GatewayCpuPer1k = measured && answered > 0 ? Math.Round(tally.GatewayCpu / answered * 1000, 3) : null,
            StubCpuSeconds = Math.Round(tally.StubCpu, 2),
            HarnessCpuSeconds = Math.Round(tally.HarnessCpu, 2),
            GatewayRssMb = tally.GatewayRss is { } rss ? Math.Round(rss, 1) : null,
            GatewayCollections = gc?.Collections,
            GatewayGcPauseMs = gc is null ? null : Math.Round(gc.PauseSeconds * 1000, 1),
            GatewayAllocatedKbPerRequest = gc is null || answered == 0 ? null : Math.Round(gc.AllocatedBytes / 1024 / answered, 1),
        };
        var what = mode == LevelResult.RateMode ? $"{offered,5} req/s{(stream ? " streamed" : "")}" : $"{offered,5} callers";
        var failed = level.Requests - level.Answered;
        Say(string.Create(
            CultureInfo.InvariantCulture,
            $"{path.Name,-8} {what}: p50 {level.P50Ms:0.00} p99 {level.P99Ms:0.00} ms{(stream ? $", first byte p50 {level.FirstByteP50Ms:0.00} p99 {level.FirstByteP99Ms:0.00} ms" : "")}, {level.AnsweredPerSecond:0} answered/s{(failed > 0 ? $", {failed} failed ({string.Join(", ", errors.Select(e => $"{e.Key}: {e.Value}"))})" : "")}, CPU gateway {level.GatewayCpuSeconds?.ToString("0.00", CultureInfo.InvariantCulture) ?? "-"} stub {level.StubCpuSeconds:0.00} harness {level.HarnessCpuSeconds:0.00} s, send lag p99 {level.SendLagP99Ms:0.00} ms{(gc is null ? "" : $", GCs {string.Join("/", gc.Collections)} pausing {level.GatewayGcPauseMs:0.#} ms, {level.GatewayAllocatedKbPerRequest:0.#} KB allocated per request")}"));
        return level;
    }

    /// <summary>drover-gateway at 1,000 req/s again, sampled by perf: where its CPU goes. Not one of the measured levels (perf costs CPU).</summary>
    private async Task ProfileAsync(PathClient client, string logs, CancellationToken cancellationToken)
    {
        if (!PerfRecorder.Available())
        {
            Say("profile: perf is not installed; no profile of drover-gateway");
            return;
        }

        var rate = GatewayTargets.TargetRate;
        Say($"profile: drover-gateway at {rate:N0} req/s for {options.Duration.TotalSeconds:0.#} s under perf record");
        try
        {
            var report = await PerfRecorder.RecordAsync(
                client.Path.ProcessId!.Value,
                options.Duration.TotalSeconds,
                Path.Combine(logs, "drover-gateway.perf"),
                () => OpenLoop.RunAsync(client, Body(false), false, rate, options.Duration, options.MaxInFlight, cancellationToken));
            var (samples, symbols) = PerfReport.Parse(report);
            Profile = new ProfileResult
            {
                Rate = rate,
                Samples = samples,
                Areas = PerfReport.Summarize(symbols),
                TopSelf = PerfReport.TopSelf(symbols, 15),
                Report = Path.Combine(logs, "drover-gateway.perf.txt"),
            };
            Say($"profile: {samples:N0} samples; " + string.Join("; ", Profile.Areas.Take(6).Select(a => $"{a.Area} {a.Percent:0.#}%")));
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            Say("profile: perf failed: " + e.Message);
        }
    }

    /// <summary>A budget that runs out while many callers spend it: what the stub served beyond it, and what the gateway counted.</summary>
    private async Task<BudgetResult> BudgetAsync(DroverGateway drover, CancellationToken cancellationToken)
    {
        Say($"budget: {options.BudgetConcurrency} callers against tokensPerDay {options.BudgetTokens:N0}");
        var path = drover.Path with { Name = "budget", Headers = [new("Authorization", "Bearer " + drover.BudgetToken)], StubKey = DroverGateway.BudgetKey };
        using var client = new PathClient(path, options.BudgetConcurrency);
        var body = Body(false);
        var before = (await _stub.StatsAsync(cancellationToken)).Served(DroverGateway.BudgetKey);
        long firstRefusal = 0;
        bool RefusedLongEnough(CallOutcome outcome)
        {
            if (outcome.Status == 429)
            {
                Interlocked.CompareExchange(ref firstRefusal, outcome.Finished, 0);
            }

            var since = Interlocked.Read(ref firstRefusal);
            return since != 0 && System.Diagnostics.Stopwatch.GetElapsedTime(since) > RefusedFor;
        }

        var sample = await ClosedLoop.RunAsync(client, body, false, options.BudgetConcurrency, BudgetDeadline, RefusedLongEnough, cancellationToken);
        var served = (await _stub.StatsAsync(cancellationToken)).Served(DroverGateway.BudgetKey);
        var requests = served.Requests - before.Requests;
        var prompt = served.PromptTokens - before.PromptTokens;
        var completion = served.CompletionTokens - before.CompletionTokens;
        var tokens = prompt + completion;
        var cost = Price(prompt, completion);
        var overshoot = tokens - options.BudgetTokens;
        var refused = sample.Calls.Count(c => c.Outcome.Status == 429);
        var other = sample.Calls.Where(c => !c.Outcome.Ok && c.Outcome.Status != 429).GroupBy(c => c.Outcome.Error!).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

        var metrics = await drover.ScrapeAsync(cancellationToken);
        var metricsTokens = PrometheusText.Sum(metrics, "drover_gateway_tokens_total", ("agent", DroverGateway.BudgetAgent), ("type", "input"))
            + PrometheusText.Sum(metrics, "drover_gateway_tokens_total", ("agent", DroverGateway.BudgetAgent), ("type", "output"));

        // status.usage is written every --status-interval (15 s): wait for it to count every request the stub served.
        Drover.Api.V1Alpha1.Agent? agent = null;
        try
        {
            await Poll.UntilAsync(
                async () =>
                {
                    agent = await drover.AgentAsync(DroverGateway.BudgetAgent, cancellationToken);
                    return agent?.Status?.Usage?.Requests >= requests;
                },
                StatusDeadline,
                "status.usage of the budgeted agent",
                cancellationToken,
                TimeSpan.FromMilliseconds(500));
        }
        catch (TimeoutException)
        {
            Say($"budget: status.usage did not count every request within {StatusDeadline.TotalSeconds:0} s; reporting what it says");
        }

        var usage = agent?.Status?.Usage;
        var result = new BudgetResult
        {
            BudgetTokens = options.BudgetTokens,
            InputPerMillion = DroverGateway.InputPerMillion,
            OutputPerMillion = DroverGateway.OutputPerMillion,
            Concurrency = options.BudgetConcurrency,
            Seconds = Math.Round(sample.Seconds, 1),
            Admitted = sample.Answered,
            Refused = refused,
            OtherErrors = other,
            StubRequests = requests,
            StubTokens = tokens,
            StubCostUsd = Math.Round(cost, 6),
            OvershootTokens = overshoot,
            OvershootPercent = Math.Round(overshoot * 100.0 / options.BudgetTokens, 2),
            OvershootCostUsd = tokens == 0 ? 0 : Math.Round(cost * overshoot / tokens, 6),
            ReservationTokens = Math.Min(body.Length / 4, 16_384) + MaxTokens,
            MetricsTokens = metricsTokens,
            StatusTokens = usage is null ? null : (usage.InputTokens ?? 0) + (usage.OutputTokens ?? 0),
            StatusRequests = usage?.Requests,
            StatusCostUsd = usage?.CostUSD,
            StatusExhausted = agent?.Status?.Conditions?.Any(c => c.Type == Drover.Api.V1Alpha1.ConditionTypes.WithinBudget && c.Status == "False"),
        };
        Say($"budget: {result.Admitted} admitted, {result.Refused} refused; the stub served {tokens:N0} tokens (${cost:0.0000}) against a budget of {options.BudgetTokens:N0}: {overshoot:+#,0;-#,0;0} tokens ({result.OvershootPercent:+0.00;-0.00;0}%); status says {result.StatusTokens?.ToString("N0", CultureInfo.InvariantCulture) ?? "-"} tokens, metrics {metricsTokens:N0}");
        return result;
    }

    private PathSummary Summarize(BenchPath path, string runs, double? idleRss)
    {
        var name = path.Name;
        if (_failures.TryGetValue(name, out var failure))
        {
            return new PathSummary { Path = name, Failure = failure, Runs = runs, IdleRssMb = idleRss };
        }

        var rates = _levels.Where(l => l.Path == name && l.Mode == LevelResult.RateMode && !l.Stream).OrderBy(l => l.Offered).ToList();
        var (max, every) = Ladder.MaxSustained(rates);
        var at1000 = rates.FirstOrDefault(l => l.Offered == GatewayTargets.TargetRate && l.Skipped is null);
        var cpuLevel = at1000 ?? rates.LastOrDefault(l => l.Offered == max);
        var streamed = _levels.Where(l => l.Path == name && l.Stream && l.Skipped is null).OrderBy(l => l.Offered).FirstOrDefault();
        var closed = _levels.Where(l => l.Path == name && l.Mode == LevelResult.ConcurrencyMode && l.Skipped is null).ToList();
        double? peak = null;
        if (path.ProcessId is { } pid)
        {
            try
            {
                peak = Math.Round(ProcessSample.Of(pid).PeakRssMb, 1);
            }
            catch (IOException)
            {
                // The process is gone; its peak went with it.
            }
        }

        return new PathSummary
        {
            Path = name,
            Runs = runs,
            IdleRssMb = idleRss,
            LoadedRssMb = path.ProcessId is { } id && _loadedRss.TryGetValue(id, out var loaded) ? Math.Round(loaded, 1) : null,
            PeakRssMb = peak,
            LowLoadP99Ms = rates.FirstOrDefault(l => l.Skipped is null)?.P99Ms,
            MaxSustainedRate = max,
            SustainedEveryRate = every,
            ClosedLoopMaxPerSecond = closed.Count == 0 ? null : closed.Max(l => l.AnsweredPerSecond),
            AddedP99At1000Ms = at1000?.AddedP99Ms,
            CpuPer1k = cpuLevel?.GatewayCpuPer1k,
            CpuPer1kRate = cpuLevel?.GatewayCpuPer1k is null ? null : cpuLevel.Offered,
            FirstByteP50Ms = streamed?.FirstByteP50Ms,
            FirstByteP99Ms = streamed?.FirstByteP99Ms,
        };
    }

    /// <summary>Each gateway's resident memory after start with no requests yet: the median over a few seconds.</summary>
    private async Task<Dictionary<string, double>> IdleRssAsync(IEnumerable<BenchPath> paths, CancellationToken cancellationToken)
    {
        var measured = paths.Where(p => p.ProcessId is not null).ToList();
        var samples = measured.ToDictionary(p => p.Name, _ => new List<double>(), StringComparer.Ordinal);
        var end = DateTime.UtcNow + IdleWindow;
        while (measured.Count > 0 && DateTime.UtcNow < end)
        {
            foreach (var path in measured)
            {
                samples[path.Name].Add(ProcessSample.Of(path.ProcessId!.Value).RssMb);
            }

            await Task.Delay(100, cancellationToken);
        }

        var idle = samples.Where(s => s.Value.Count > 0).ToDictionary(s => s.Key, s => Math.Round(Statistics.Median(s.Value), 1), StringComparer.Ordinal);
        Say("idle RSS: " + (idle.Count == 0 ? "nothing to measure" : string.Join(", ", idle.Select(p => $"{p.Key} {p.Value:0.0} MB"))));
        return idle;
    }

    /// <summary>The largest resident memory of each gateway while loaded, sampled every 250 ms.</summary>
    private async Task SampleRssAsync(IReadOnlyList<int> pids, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                foreach (var pid in pids)
                {
                    var rss = ProcessSample.Of(pid).RssMb;
                    _loadedRss[pid] = Math.Max(rss, _loadedRss.GetValueOrDefault(pid));
                }

                await Task.Delay(250, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Ends a closed loop after <paramref name="requests"/> answers or failures.</summary>
    private static Func<CallOutcome, bool> After(int requests)
    {
        var seen = 0;
        return _ => Interlocked.Increment(ref seen) >= requests;
    }

    private LevelResult? Find(string path, string mode, bool stream, int offered) =>
        _levels.FirstOrDefault(l => l.Path == path && l.Mode == mode && l.Stream == stream && l.Offered == offered);

    private static LevelResult Skipped(string path, string mode, bool stream, int offered, string why) =>
        new() { Path = path, Mode = mode, Stream = stream, Offered = offered, Skipped = why };

    private void Fail(string path, string why)
    {
        _failures[path] = why;
        Say($"{path} FAILED: {why}; it is reported as failed, not measured");
    }

    /// <summary>What one path did over the slices of a level.</summary>
    private sealed class Tally
    {
        public List<LoadSample> Samples { get; } = [];

        public double GatewayCpu { get; set; }

        public double StubCpu { get; set; }

        public double HarnessCpu { get; set; }

        public double? GatewayRss { get; set; }

        public long Served { get; set; }

        public long Refused { get; set; }
    }

    private static decimal Price(long prompt, long completion) =>
        ((prompt * DroverGateway.InputPerMillion) + (completion * DroverGateway.OutputPerMillion)) / 1_000_000m;

    private static double R(double value) => double.IsNaN(value) ? value : Math.Round(value, 3);

    private void Say(string message) => log.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {message}");
}
