namespace Drover.Bench;

/// <summary>The few series of the operator's <c>/metrics</c> the harness reads: reconciles and queue depth per controller.</summary>
internal sealed class OperatorMetrics
{
    private OperatorMetrics(IReadOnlyDictionary<string, double> reconciles, IReadOnlyDictionary<string, double> depth)
    {
        Reconciles = reconciles;
        QueueDepth = depth;
    }

    /// <summary><c>drover_controller_reconcile_total</c> summed over results, by controller.</summary>
    public IReadOnlyDictionary<string, double> Reconciles { get; }

    /// <summary><c>drover_workqueue_depth</c> by queue.</summary>
    public IReadOnlyDictionary<string, double> QueueDepth { get; }

    public double ReconcilesOf(string controller) => Reconciles.GetValueOrDefault(controller);

    public bool QueuesEmpty => QueueDepth.Values.All(v => v == 0);

    public static async Task<OperatorMetrics> ScrapeAsync(HttpClient http, Uri metrics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        return Parse(await http.GetStringAsync(metrics, cancellationToken));
    }

    public static OperatorMetrics Parse(string text)
    {
        var reconciles = new Dictionary<string, double>(StringComparer.Ordinal);
        var depth = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var sample in PrometheusText.Parse(text))
        {
            if (sample.Name == "drover_controller_reconcile_total" && sample.Label("controller") is { } controller)
            {
                reconciles[controller] = reconciles.GetValueOrDefault(controller) + sample.Value;
            }
            else if (sample.Name == "drover_workqueue_depth" && sample.Label("name") is { } queue)
            {
                depth[queue] = sample.Value;
            }
        }

        return new OperatorMetrics(reconciles, depth);
    }
}
