using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json.Nodes;
using Drover.ControllerRuntime.Client;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drover.ControllerRuntime.Apply;

public enum EventRecordOutcome
{
    Created,
    SeriesUpdated,

    /// <summary>The series' Event had expired (404): a new Event carries the series on.</summary>
    SeriesRestarted,
    Suppressed,
    Failed,
}

public sealed record EventRecorderOptions
{
    public string ReportingController { get; init; } = "drover.dev/operator";

    public string ReportingInstance { get; init; } = Environment.MachineName;

    /// <summary>A repeat of the same event for the same object within this window joins a series instead of a new Event.</summary>
    public TimeSpan SeriesWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A series is written back at most this often; repeats in between are only counted.</summary>
    public TimeSpan SeriesFlushInterval { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Records events.k8s.io/v1 Events about objects. Repeats (same object, type, reason, action and note) within a
/// window are folded into the first Event's <c>series</c> (count, lastObservedTime), written at most once per flush
/// interval, so a reconcile loop that keeps seeing the same problem does not flood the API server. API servers delete
/// Events after a TTL (an hour by default): when the series' Event is gone, the series goes on in a new Event, so a
/// problem that persists stays listed. Recording is best effort: failures are logged, never thrown.
/// </summary>
public sealed class EventRecorder
{
    public static readonly ResourceKind<Eventsv1Event> EventKind =
        new("events.k8s.io", "v1", "events", "Event", namespaced: true, RuntimeJsonContext.Default.Eventsv1Event);

    private readonly KubeApiClient _client;
    private readonly EventRecorderOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Series> _series = new(StringComparer.Ordinal);

    public EventRecorder(KubeApiClient client, EventRecorderOptions? options = null, ILogger? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _options = options ?? new EventRecorderOptions();
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    public Task<EventRecordOutcome> NormalAsync(IKubernetesObject<V1ObjectMeta> regarding, string reason, string action, string note, CancellationToken cancellationToken) =>
        RecordAsync(regarding, "Normal", reason, action, note, cancellationToken);

    public Task<EventRecordOutcome> WarningAsync(IKubernetesObject<V1ObjectMeta> regarding, string reason, string action, string note, CancellationToken cancellationToken) =>
        RecordAsync(regarding, "Warning", reason, action, note, cancellationToken);

    /// <summary>
    /// Records one occurrence. Never throws for a failure to record (an unreachable server, a rejected Event, an object
    /// without metadata): that is logged and reported as <see cref="EventRecordOutcome.Failed"/>. Only the caller's own
    /// cancellation propagates.
    /// </summary>
    [SuppressMessage("Design", "CA1031", Justification = "Events are best effort; a failed Event must not fail a reconcile.")]
    public async Task<EventRecordOutcome> RecordAsync(IKubernetesObject<V1ObjectMeta> regarding, string type, string reason, string action, string note, CancellationToken cancellationToken)
    {
        try
        {
            return await RecordOrThrowAsync(regarding, type, reason, action, note, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Could not record {Type} event {Reason} for {Kind} {Name}", type, reason, regarding?.Kind, regarding?.Metadata?.Name);
            return EventRecordOutcome.Failed;
        }
    }

    private async Task<EventRecordOutcome> RecordOrThrowAsync(IKubernetesObject<V1ObjectMeta> regarding, string type, string reason, string action, string note, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(regarding);
        var meta = regarding.Metadata ?? throw new ArgumentException("The object has no metadata to name in an Event.", nameof(regarding));
        ArgumentException.ThrowIfNullOrEmpty(meta.Name, nameof(regarding));
        var ns = string.IsNullOrEmpty(meta.NamespaceProperty) ? "default" : meta.NamespaceProperty;
        var key = string.Join('\u001f', regarding.Kind, ns, meta.Name, meta.Uid, type, reason, action, note);
        var now = _time.GetUtcNow();
        Series? series;
        int count;
        lock (_lock)
        {
            ForgetExpired(now);
            if (_series.TryGetValue(key, out series) && now - series.LastSeen <= _options.SeriesWindow)
            {
                series.Count++;
                series.LastSeen = now;
                if (now - series.LastFlushed < _options.SeriesFlushInterval)
                {
                    return EventRecordOutcome.Suppressed;
                }

                series.LastFlushed = now;
                count = series.Count;
            }
            else
            {
                series = null;
                count = 1;
            }
        }

        if (series is not null)
        {
            try
            {
                var patch = new JsonObject
                {
                    ["series"] = new JsonObject
                    {
                        ["count"] = count,
                        ["lastObservedTime"] = MicroTime(now),
                    },
                };
                await _client.MergePatchAsync(EventKind, series.Namespace, series.Name, patch, subresource: null, cancellationToken);
                return EventRecordOutcome.SeriesUpdated;
            }
            catch (KubeApiException e) when (e.IsNotFound)
            {
                // The Event outlived the server's TTL: the series continues in a new one.
                return await ContinueSeriesAsync(key, series, count, now, cancellationToken);
            }
        }

        var name = EventName(meta.Name, now);
        var first = new Eventsv1Event
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            EventTime = now.UtcDateTime,
            Type = type,
            Reason = reason,
            Action = action,
            Note = note.Length > 1024 ? note[..1024] : note,
            ReportingController = _options.ReportingController,
            ReportingInstance = _options.ReportingInstance,
            Regarding = new V1ObjectReference
            {
                ApiVersion = regarding.ApiVersion,
                Kind = regarding.Kind,
                Name = meta.Name,
                NamespaceProperty = meta.NamespaceProperty,
                Uid = meta.Uid,
                ResourceVersion = meta.ResourceVersion,
            },
        };
        var created = await _client.CreateAsync(EventKind, first, cancellationToken);
        lock (_lock)
        {
            _series[key] = new Series(ns, created.Metadata?.Name ?? name, first) { Count = 1, LastSeen = now, LastFlushed = now };
        }

        return EventRecordOutcome.Created;
    }

    /// <summary>Creates a fresh Event carrying the series so far (its count and first occurrence) and follows it from now on.</summary>
    private async Task<EventRecordOutcome> ContinueSeriesAsync(string key, Series series, int count, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var first = series.Event;
        var name = EventName(first.Regarding?.Name ?? "event", now);
        Eventsv1Event created;
        try
        {
            created = await _client.CreateAsync(
                EventKind,
                new Eventsv1Event
                {
                    Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = series.Namespace },
                    EventTime = first.EventTime,
                    Type = first.Type,
                    Reason = first.Reason,
                    Action = first.Action,
                    Note = first.Note,
                    ReportingController = first.ReportingController,
                    ReportingInstance = first.ReportingInstance,
                    Regarding = first.Regarding,
                    Series = new Eventsv1EventSeries { Count = count, LastObservedTime = now.UtcDateTime },
                },
                cancellationToken);
        }
        catch
        {
            // Without an Event to patch, the next occurrence starts over with a new one.
            lock (_lock)
            {
                _series.Remove(key);
            }

            throw;
        }

        lock (_lock)
        {
            series.Name = created.Metadata?.Name ?? name;
        }

        return EventRecordOutcome.SeriesRestarted;
    }

    private static string EventName(string objectName, DateTimeOffset now) =>
        $"{objectName}.{now.UtcTicks.ToString("x", CultureInfo.InvariantCulture)}";

    private void ForgetExpired(DateTimeOffset now)
    {
        if (_series.Count < 1024)
        {
            return;
        }

        foreach (var stale in _series.Where(p => now - p.Value.LastSeen > _options.SeriesWindow).Select(p => p.Key).ToList())
        {
            _series.Remove(stale);
        }
    }

    private static string MicroTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private sealed class Series(string ns, string name, Eventsv1Event first)
    {
        public string Namespace { get; } = ns;

        /// <summary>The Event the series is written to; a new one when the last expired.</summary>
        public string Name { get; set; } = name;

        /// <summary>The series' first Event as created, to start a new one from.</summary>
        public Eventsv1Event Event { get; } = first;

        public int Count { get; set; }

        public DateTimeOffset LastSeen { get; set; }

        public DateTimeOffset LastFlushed { get; set; }
    }
}
