namespace Drover.Scenarios.Support;

/// <summary>Proves the operator leaves a settled object alone: no reconciles and no writes over a window.</summary>
internal static class Quiet
{
    /// <summary>Long enough for a requeue storm (5 ms backoff doubling) to make dozens of requests.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Waits until the queues are empty and no reconcile has started for a few polls, so the work caused by the
    /// last change (including a reconcile that had started but not finished) is over.
    /// </summary>
    public static async Task SettleAsync(OperatorScenario scenario)
    {
        var runtime = scenario.Operator!;
        long Total() => runtime.Agents.Reconciles + runtime.Schedules.Reconciles + runtime.ModelProviders.Reconciles;
        var last = -1L;
        var stablePolls = 0;
        await Eventually.TrueAsync(
            () =>
            {
                var now = Total();
                var idle = runtime.Agents.Queue.Count == 0 && runtime.Schedules.Queue.Count == 0 && runtime.ModelProviders.Queue.Count == 0;
                stablePolls = idle && now == last ? stablePolls + 1 : 0;
                last = now;
                return Task.FromResult(stablePolls >= 6);
            },
            "the operator to settle");
    }

    /// <returns>The request counts from the last reset up to the start of the window.</returns>
    public static async Task<IReadOnlyDictionary<(string Verb, string Resource), int>> AssertAsync(OperatorScenario scenario)
    {
        var runtime = scenario.Operator!;
        await SettleAsync(scenario);
        var sinceReset = scenario.Server.Requests.Snapshot();
        scenario.Server.Requests.Reset();
        var before = runtime.Agents.Reconciles + runtime.Schedules.Reconciles + runtime.ModelProviders.Reconciles;

        // A measurement window, not a wait for something to happen: the assertion is that nothing does.
        await Task.Delay(Window);
        var reconciles = runtime.Agents.Reconciles + runtime.Schedules.Reconciles + runtime.ModelProviders.Reconciles - before;
        var writes = scenario.Server.Requests.Snapshot().Where(p => p.Key.Verb is "create" or "update" or "patch" or "delete").ToList();
        Assert.True(
            reconciles == 0 && writes.Count == 0,
            $"Expected a quiet operator, saw {reconciles} reconciles and writes: {string.Join(", ", writes.Select(w => $"{w.Key.Verb} {w.Key.Resource} x{w.Value}"))}");
        return sinceReset;
    }
}
