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
/// interval, so a reconcile loop that keeps seeing the same problem does not flood the API server.
/// Recording is best effort: failures are logged, never thrown.
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

    [SuppressMessage("Design", "CA1031", Justification = "Events are best effort; a failed Event must not fail a reconcile.")]
    public async Task<EventRecordOutcome> RecordAsync(IKubernetesObject<V1ObjectMeta> regarding, string type, string reason, string action, string note, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(regarding);
        var meta = regarding.Metadata;
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

        try
        {
            if (series is not null)
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

            var name = $"{meta.Name}.{now.UtcTicks.ToString("x", CultureInfo.InvariantCulture)}";
            var created = await _client.CreateAsync(
                EventKind,
                new Eventsv1Event
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
                },
                cancellationToken);
            lock (_lock)
            {
                _series[key] = new Series(ns, created.Metadata.Name) { Count = 1, LastSeen = now, LastFlushed = now };
            }

            return EventRecordOutcome.Created;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Could not record {Type} event {Reason} for {Kind} {Name}", type, reason, regarding.Kind, meta.Name);
            return EventRecordOutcome.Failed;
        }
    }

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

    private sealed class Series(string ns, string name)
    {
        public string Namespace { get; } = ns;

        public string Name { get; } = name;

        public int Count { get; set; }

        public DateTimeOffset LastSeen { get; set; }

        public DateTimeOffset LastFlushed { get; set; }
    }
}
