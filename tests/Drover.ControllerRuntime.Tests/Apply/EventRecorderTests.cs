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

    public void Dispose() => _http.Dispose();
}
