using Prometheus;

namespace Drover.ControllerRuntime.Observability;

/// <summary>
/// The Prometheus series the runtime publishes. Names follow controller-runtime's (workqueue_*, reconcile_*,
/// leader_election_*) behind a <c>drover_</c> prefix so dashboards built for Kubebuilder operators translate directly.
/// </summary>
public static class RuntimeMetrics
{
    private static readonly double[] DurationBuckets = Histogram.ExponentialBuckets(0.001, 2, 16);

    public static readonly Gauge QueueDepth = Metrics.CreateGauge(
        "drover_workqueue_depth", "Keys waiting in a work queue.", "name");

    public static readonly Counter QueueAdds = Metrics.CreateCounter(
        "drover_workqueue_adds_total", "Keys added to a work queue (after de-duplication).", "name");

    public static readonly Counter QueueRetries = Metrics.CreateCounter(
        "drover_workqueue_retries_total", "Rate-limited re-adds of keys to a work queue.", "name");

    public static readonly Histogram QueueLatency = Metrics.CreateHistogram(
        "drover_workqueue_queue_duration_seconds",
        "How long a key waits in the queue before a worker takes it.",
        new HistogramConfiguration { LabelNames = ["name"], Buckets = DurationBuckets });

    public static readonly Histogram WorkDuration = Metrics.CreateHistogram(
        "drover_workqueue_work_duration_seconds",
        "How long a worker holds a key.",
        new HistogramConfiguration { LabelNames = ["name"], Buckets = DurationBuckets });

    public static readonly Counter ReconcileTotal = Metrics.CreateCounter(
        "drover_controller_reconcile_total", "Reconciles per controller and result (success, requeue_after, error, terminal).", "controller", "result");

    public static readonly Counter ReconcileErrors = Metrics.CreateCounter(
        "drover_controller_reconcile_errors_total", "Reconciles that failed, including exceptions.", "controller");

    public static readonly Histogram ReconcileDuration = Metrics.CreateHistogram(
        "drover_controller_reconcile_time_seconds",
        "Reconcile duration per controller.",
        new HistogramConfiguration { LabelNames = ["controller"], Buckets = DurationBuckets });

    public static readonly Counter WatchRestarts = Metrics.CreateCounter(
        "drover_informer_watch_restarts_total", "Watch streams re-opened after they ended, broke or went silent.", "resource");

    public static readonly Counter Relists = Metrics.CreateCounter(
        "drover_informer_relists_total", "Full lists, including the first one and those after 410 Expired.", "resource");

    public static readonly Counter EventsReceived = Metrics.CreateCounter(
        "drover_informer_events_total", "Watch events received per resource and type.", "resource", "type");

    public static readonly Counter DecodeErrors = Metrics.CreateCounter(
        "drover_informer_decode_errors_total",
        "Listed or watched objects skipped because they could not be read as the informer's type (each time one is seen).",
        "informer");

    public static readonly Gauge UndecodableObjects = Metrics.CreateGauge(
        "drover_informer_undecodable_objects", "Objects whose latest version could not be read; non-zero until they are fixed or deleted.", "informer");

    public static readonly Gauge CachedObjects = Metrics.CreateGauge(
        "drover_informer_cached_objects", "Objects in the informer's cache.", "resource");

    public static readonly Gauge CachedPackedBytes = Metrics.CreateGauge(
        "drover_informer_cached_packed_bytes", "Compressed bytes held by a packed informer cache (0 when objects are kept typed).", "resource");

    public static readonly Gauge LeaderStatus = Metrics.CreateGauge(
        "drover_leader_election_is_leader", "1 while this process holds the lease.", "lease");

    public static readonly Counter ApplySkipped = Metrics.CreateCounter(
        "drover_apply_skipped_total", "Server-side applies skipped because the cached object already matched.", "resource");

    public static readonly Counter ApplySent = Metrics.CreateCounter(
        "drover_apply_sent_total", "Server-side apply requests sent.", "resource");

    public static readonly Counter ApplyConflicts = Metrics.CreateCounter(
        "drover_apply_conflicts_total", "Applies refused because an object of that name exists that the owner does not control.", "resource");
}
