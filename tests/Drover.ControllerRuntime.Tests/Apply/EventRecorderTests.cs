using System.Net;
using Drover.ControllerRuntime.Apply;
using Drover.ControllerRuntime.Client;
using k8s.Models;

namespace Drover.ControllerRuntime.Tests.Apply;

public sealed class EventRecorderTests : IDisposable
{
    private readonly RecordingHandler _handler = new();
    private readonly HttpClient _http;
    private readonly SteppingTimeProvider _time = new();
    private readonly EventRecorder _recorder;
    private readonly V1ConfigMap _regarding = new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta { Name = "cm", NamespaceProperty = "ns", Uid = "u1" },
    };

    public EventRecorderTests()
    {
        _http = new HttpClient(_handler);
        _recorder = new EventRecorder(
            new KubeApiClient(_http, new Uri("http://api")),
            new EventRecorderOptions { SeriesWindow = TimeSpan.FromMinutes(10), SeriesFlushInterval = TimeSpan.FromSeconds(30) },
            time: _time);
    }

    [Fact]
    public async Task The_first_occurrence_creates_an_events_k8s_io_Event_about_the_object()
    {
        Assert.Equal(EventRecordOutcome.Created, await _recorder.WarningAsync(_regarding, "InvalidSpec", "Reconcile", "spec.image is empty", CancellationToken.None));

        var (method, path, _, body) = Assert.Single(_handler.Requests);
        Assert.Equal(HttpMethod.Post, method);
        Assert.Equal("/apis/events.k8s.io/v1/namespaces/ns/events", path);
        Assert.Equal("Warning", (string?)body!["type"]);
        Assert.Equal("InvalidSpec", (string?)body["reason"]);
        Assert.Equal("u1", (string?)body["regarding"]!["uid"]);
        Assert.Equal("events.k8s.io/v1", (string?)body["apiVersion"]);
        Assert.NotNull(body["eventTime"]);
    }

    [Fact]
    public async Task Repeats_within_the_window_join_a_series_written_at_most_once_per_flush_interval()
    {
        await _recorder.WarningAsync(_regarding, "InvalidSpec", "Reconcile", "bad", CancellationToken.None);
        Assert.Equal(EventRecordOutcome.Suppressed, await _recorder.WarningAsync(_regarding, "InvalidSpec", "Reconcile", "bad", CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(EventRecordOutcome.Suppressed, await _recorder.WarningAsync(_regarding, "InvalidSpec", "Reconcile", "bad", CancellationToken.None));
        Assert.Single(_handler.Requests);

        _time.Advance(TimeSpan.FromSeconds(25));
        Assert.Equal(EventRecordOutcome.SeriesUpdated, await _recorder.WarningAsync(_regarding, "InvalidSpec", "Reconcile", "bad", CancellationToken.None));
        var (method, path, contentType, body) = _handler.Requests[1];
        Assert.Equal(HttpMethod.Patch, method);
        Assert.StartsWith("/apis/events.k8s.io/v1/namespaces/ns/events/cm.", path);
        Assert.Equal("application/merge-patch+json", contentType);
        Assert.Equal(4, (int)body!["series"]!["count"]!);
    }

    [Fact]
    public async Task A_different_note_or_a_repeat_after_the_window_is_a_new_Event()
    {
        await _recorder.WarningAsync(_regarding, "InvalidSpec", "Reconcile", "bad", CancellationToken.None);
        Assert.Equal(EventRecordOutcome.Created, await _recorder.WarningAsync(_regarding, "InvalidSpec", "Reconcile", "worse", CancellationToken.None));
        _time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(EventRecordOutcome.Created, await _recorder.WarningAsync(_regarding, "InvalidSpec", "Reconcile", "bad", CancellationToken.None));
        Assert.Equal(3, _handler.Requests.Count(r => r.Method == HttpMethod.Post));
    }

    [Fact]
    public async Task A_series_whose_Event_expired_goes_on_in_a_new_Event_with_the_count_so_far()
    {
        await _recorder.WarningAsync(_regarding, "InvalidSpec", "Reconcile", "bad", CancellationToken.None);
        var firstName = (string?)_handler.Requests[0].Body!["metadata"]!["name"];
        var firstTime = (string?)_handler.Requests[0].Body!["eventTime"];
        _time.Advance(TimeSpan.FromMinutes(1));
        _handler.Refuse = (method, path) => method == HttpMethod.Patch && path.EndsWith("/" + firstName, StringComparison.Ordinal) ? HttpStatusCode.NotFound : null;

        Assert.Equal(EventRecordOutcome.SeriesRestarted, await _recorder.WarningAsync(_regarding, "InvalidSpec", "Reconcile", "bad", CancellationToken.None));

        var (method, path, _, body) = _handler.Requests[^1];
        Assert.Equal(HttpMethod.Post, method);
        Assert.Equal("/apis/events.k8s.io/v1/namespaces/ns/events", path);
        var secondName = (string?)body!["metadata"]!["name"];
        Assert.NotEqual(firstName, secondName);
        Assert.Equal(2, (int)body["series"]!["count"]!);
        Assert.NotNull(body["series"]!["lastObservedTime"]);
        Assert.Equal(firstTime, (string?)body["eventTime"]);
        Assert.Equal(("Warning", "InvalidSpec", "bad", "u1"), ((string?)body["type"], (string?)body["reason"], (string?)body["note"], (string?)body["regarding"]!["uid"]));

        // Later occurrences are written to the new Event.
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(EventRecordOutcome.SeriesUpdated, await _recorder.WarningAsync(_regarding, "InvalidSpec", "Reconcile", "bad", CancellationToken.None));
        Assert.EndsWith("/" + secondName, _handler.Requests[^1].PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(3, (int)_handler.Requests[^1].Body!["series"]!["count"]!);
    }

    [Fact]
    public async Task A_failure_to_record_is_reported_never_thrown()
    {
        _handler.Refuse = (_, _) => HttpStatusCode.Forbidden;
        Assert.Equal(EventRecordOutcome.Failed, await _recorder.WarningAsync(_regarding, "InvalidSpec", "Reconcile", "bad", CancellationToken.None));

        _handler.Refuse = (_, _) => HttpStatusCode.InternalServerError;
        Assert.Equal(EventRecordOutcome.Failed, await _recorder.WarningAsync(_regarding, "InvalidSpec", "Reconcile", "bad", CancellationToken.None));

        var nameless = new V1ConfigMap { ApiVersion = "v1", Kind = "ConfigMap" };
        Assert.Equal(EventRecordOutcome.Failed, await _recorder.WarningAsync(nameless, "InvalidSpec", "Reconcile", "bad", CancellationToken.None));

        // Once the server is back, the same problem is recorded from scratch.
        _handler.Refuse = null;
        Assert.Equal(EventRecordOutcome.Created, await _recorder.WarningAsync(_regarding, "InvalidSpec", "Reconcile", "bad", CancellationToken.None));
    }

    [Fact]
    public async Task A_new_Event_for_an_expired_series_that_cannot_be_created_starts_over_next_time()
    {
        await _recorder.WarningAsync(_regarding, "InvalidSpec", "Reconcile", "bad", CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        _handler.Refuse = (method, _) => method == HttpMethod.Patch ? HttpStatusCode.NotFound : HttpStatusCode.ServiceUnavailable;
        Assert.Equal(EventRecordOutcome.Failed, await _recorder.WarningAsync(_regarding, "InvalidSpec", "Reconcile", "bad", CancellationToken.None));

        _handler.Refuse = null;
        Assert.Equal(EventRecordOutcome.Created, await _recorder.WarningAsync(_regarding, "InvalidSpec", "Reconcile", "bad", CancellationToken.None));
    }

    public void Dispose() => _http.Dispose();
}
