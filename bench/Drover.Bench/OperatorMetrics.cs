using System.Globalization;

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

    /// <summary>Reads the Prometheus text exposition format.</summary>
    public static OperatorMetrics Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var reconciles = new Dictionary<string, double>(StringComparer.Ordinal);
        var depth = new Dictionary<string, double>(StringComparer.Ordinal);
        double cached = 0, packed = 0;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            if (space < 0 || !double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var series = line[..space];
            if (series.StartsWith("drover_controller_reconcile_total{", StringComparison.Ordinal) && Label(series, "controller") is { } controller)
            {
                reconciles[controller] = reconciles.GetValueOrDefault(controller) + value;
            }
            else if (series.StartsWith("drover_workqueue_depth{", StringComparison.Ordinal) && Label(series, "name") is { } queue)
            {
                depth[queue] = value;
            }
            else if (series.StartsWith("drover_informer_cached_objects{", StringComparison.Ordinal))
            {
                cached += value;
            }
            else if (series.StartsWith("drover_informer_cached_packed_bytes{", StringComparison.Ordinal))
            {
                packed += value;
            }
        }

        return new OperatorMetrics(reconciles, depth, cached, packed);
    }

    private static string? Label(string series, string name)
    {
        var key = name + "=\"";
        var start = series.IndexOf(key, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += key.Length;
        var end = series.IndexOf('"', start);
        return end < 0 ? null : series[start..end];
    }
}
