namespace Drover.Bench;

/// <summary>
/// The few series of the operator's <c>/metrics</c> the harness reads: reconciles and queue depth per controller, and
/// what its informer caches hold.
/// </summary>
internal sealed class OperatorMetrics
{
    private OperatorMetrics(IReadOnlyDictionary<string, double> reconciles, IReadOnlyDictionary<string, double> depth, double cachedObjects, double cachedPackedBytes)
    {
        Reconciles = reconciles;
        QueueDepth = depth;
        CachedObjects = cachedObjects;
        CachedPackedBytes = cachedPackedBytes;
    }

    /// <summary><c>drover_controller_reconcile_total</c> summed over results, by controller.</summary>
    public IReadOnlyDictionary<string, double> Reconciles { get; }

    /// <summary><c>drover_workqueue_depth</c> by queue.</summary>
    public IReadOnlyDictionary<string, double> QueueDepth { get; }

    /// <summary><c>drover_informer_cached_objects</c> summed over every informer.</summary>
    public double CachedObjects { get; }

    /// <summary><c>drover_informer_cached_packed_bytes</c> summed over every informer.</summary>
    public double CachedPackedBytes { get; }

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
        double cached = 0, packed = 0;
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
            else if (sample.Name == "drover_informer_cached_objects")
            {
                cached += sample.Value;
            }
            else if (sample.Name == "drover_informer_cached_packed_bytes")
            {
                packed += sample.Value;
            }
        }

        return new OperatorMetrics(reconciles, depth, cached, packed);
    }
}
