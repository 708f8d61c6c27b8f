using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Drover.ControllerRuntime.Client;

/// <summary>
/// A small typed Kubernetes REST client over <see cref="HttpClient"/>: list, streaming watch, get, create, replace,
/// patch (merge and server-side apply), delete. Everything goes through source-generated JSON, so it is trim and
/// NativeAOT clean. Authentication and TLS come from the <see cref="HttpClient"/> and the optional request hook.
/// </summary>
public sealed class KubeApiClient
{
    private const string ApplyPatchContentType = "application/apply-patch+yaml";
    private const string MergePatchContentType = "application/merge-patch+json";

    private readonly HttpClient _http;
    private readonly Uri _baseAddress;
    private readonly Func<HttpRequestMessage, CancellationToken, Task>? _authenticate;
    private readonly KubeApiClientOptions _options;
    private readonly TimeProvider _time;

    /// <param name="http">Sends the requests; its own <see cref="HttpClient.Timeout"/> should be infinite, since watches stay open.</param>
    /// <param name="baseAddress">The API server, e.g. <c>https://10.96.0.1/</c>.</param>
    /// <param name="authenticate">Called on every request before it is sent (credentials kept outside the handler chain).</param>
    /// <param name="options">Deadlines; see <see cref="KubeApiClientOptions"/>.</param>
    /// <param name="time">The clock the deadlines run on.</param>
    public KubeApiClient(
        HttpClient http,
        Uri baseAddress,
        Func<HttpRequestMessage, CancellationToken, Task>? authenticate = null,
        KubeApiClientOptions? options = null,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(baseAddress);
        _http = http;
        _baseAddress = baseAddress;
        _authenticate = authenticate;
        _options = options ?? new KubeApiClientOptions();
        if (_options.RequestTimeout <= TimeSpan.Zero && _options.RequestTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException("The request timeout must be positive (or Timeout.InfiniteTimeSpan).", nameof(options));
        }

        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Builds a client for a kubeconfig context or the pod's service account (see <see cref="KubeconfigLoader"/>).
    /// </summary>
    /// <param name="connection">Where the API server is and how to authenticate to it.</param>
    /// <param name="userAgent">Names the caller in the API server's audit log and metrics (<c>drover/0.1.0</c>).</param>
    /// <param name="options">Deadlines; 30 s per request by default.</param>
    /// <param name="time">The clock deadlines and cached credentials run on.</param>
    public static KubeApiClient FromConnection(ClusterConnection connection, string userAgent, KubeApiClientOptions? options = null, TimeProvider? time = null)
    {
        var transport = KubeTransport.Create(connection, userAgent, time);
        return new KubeApiClient(transport.Http, transport.BaseAddress, authenticate: null, options, time);
    }

    /// <summary>Builds a client from the client library's configuration type (for code that already has one).</summary>
    /// <param name="config">Where the API server is and how to authenticate to it.</param>
    /// <param name="userAgent">Names the caller in the API server's audit log and metrics (<c>drover/0.1.0</c>).</param>
    public static KubeApiClient FromConfig(KubernetesClientConfiguration config, string userAgent) =>
        FromConnection(KubeTransport.ToConnection(config), userAgent);

    public Uri BaseAddress => _baseAddress;

    public KubeApiClientOptions Options => _options;

    /// <summary>
    /// Lists one page. Items are read one by one: an item that does not fit <typeparamref name="T"/> is left out and
    /// named in <see cref="ListPage{T}.Undecodable"/>, so one bad object cannot fail the whole list.
    /// </summary>
    public Task<ListPage<T>> ListAsync<T>(ResourceKind<T> kind, string? ns, ListOptions? options, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        var query = new QueryBuilder();
        AddSelectors(query, options);
        if (options is { Limit: > 0 })
        {
            query.Add("limit", options.Limit.ToString(CultureInfo.InvariantCulture));
        }

        query.Add("continue", options?.Continue);
        query.Add("resourceVersion", options?.ResourceVersion);

        var url = Url(kind.CollectionPath(ns), query);
        return WithinDeadlineAsync(HttpMethod.Get, url, async token =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, token);
            await using var stream = await response.Content.ReadAsStreamAsync(token);
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: token);
            return ReadList(kind, document.RootElement);
        }, cancellationToken);
    }

    /// <summary>
    /// Opens a watch from <paramref name="resourceVersion"/> and yields events as lines arrive. Ends when the server
    /// closes the stream; an ERROR event becomes a <see cref="KubeApiException"/> (410 Expired means relist). An object
    /// that does not fit <typeparamref name="T"/> arrives as an event with <see cref="WatchEvent{T}.Undecodable"/> set and
    /// its resourceVersion, so the caller can move past it. The response headers must arrive within
    /// <see cref="KubeApiClientOptions.RequestTimeout"/>, and a stream the server has not ended that long after
    /// <paramref name="serverTimeout"/> is cut: both fail with a timeout <see cref="KubeApiException"/>.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(
        ResourceKind<T> kind,
        string? ns,
        string? resourceVersion,
        ListOptions? options,
        TimeSpan serverTimeout,
        Action? onConnected,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        var query = new QueryBuilder();
        query.Add("watch", "true");
        query.Add("allowWatchBookmarks", "true");
        query.Add("resourceVersion", resourceVersion);
        AddSelectors(query, options);
        if (serverTimeout > TimeSpan.Zero)
        {
            query.Add("timeoutSeconds", ((long)Math.Ceiling(serverTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        }

        var bounded = _options.RequestTimeout != Timeout.InfiniteTimeSpan;
        using var connecting = new CancellationTokenSource(bounded ? _options.RequestTimeout : Timeout.InfiniteTimeSpan, _time);
        using var streaming = new CancellationTokenSource(bounded && serverTimeout > TimeSpan.Zero ? serverTimeout + _options.RequestTimeout : Timeout.InfiniteTimeSpan, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connecting.Token, streaming.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(kind.CollectionPath(ns), query));
        HttpResponseMessage response;
        try
        {
            response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
        }
        catch (Exception e) when (IsOwnTimeout(e, linked, cancellationToken))
        {
            throw TimedOut(request.Method, request.RequestUri, connecting.IsCancellationRequested ? "sent no response headers" : "did not end the watch", _options.RequestTimeout, e);
        }

        using (response)
        {
            // Connected: from here the stream's lifetime bounds it, and the caller's watchdog its silences.
            connecting.CancelAfter(Timeout.InfiniteTimeSpan);
            onConnected?.Invoke();
            await using var stream = await response.Content.ReadAsStreamAsync(linked.Token);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (true)
            {
                string? line;
                try
                {
                    line = await reader.ReadLineAsync(linked.Token);
                }
                catch (Exception e) when (IsOwnTimeout(e, linked, cancellationToken))
                {
                    throw TimedOut(request.Method, request.RequestUri, "did not end the watch it was asked to end after " + Seconds(serverTimeout), _options.RequestTimeout, e);
                }

                if (line is null)
                {
                    yield break;
                }

                if (line.Length == 0)
                {
                    continue;
                }

                yield return ParseWatchLine(kind, line);
            }
        }
    }

    public async Task<T?> GetAsync<T>(ResourceKind<T> kind, string? ns, string name, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        try
        {
            return await SendForObjectAsync(HttpMethod.Get, Url(kind.ObjectPath(ns, name), null), content: null, kind, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    public Task<T> CreateAsync<T>(ResourceKind<T> kind, T obj, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(obj);
        var body = JsonSerializer.Serialize(WithTypeMeta(kind, obj), kind.TypeInfo);
        return SendForObjectAsync(HttpMethod.Post, Url(kind.CollectionPath(obj.Metadata?.NamespaceProperty), null), (body, "application/json"), kind, cancellationToken);
    }

    /// <summary>PUT with the object's resourceVersion: a 409 <see cref="KubeApiException"/> means someone else wrote first.</summary>
    public Task<T> ReplaceAsync<T>(ResourceKind<T> kind, T obj, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(obj);
        var body = JsonSerializer.Serialize(WithTypeMeta(kind, obj), kind.TypeInfo);
        return SendForObjectAsync(HttpMethod.Put, Url(kind.ObjectPath(obj.Metadata?.NamespaceProperty, obj.Metadata?.Name ?? string.Empty), null), (body, "application/json"), kind, cancellationToken);
    }

    /// <summary>Server-side apply: PATCH <c>application/apply-patch+yaml</c> (JSON is YAML) with the field manager, forcing ownership.</summary>
    public Task<T> ApplyAsync<T>(ResourceKind<T> kind, string? ns, string name, JsonNode body, string fieldManager, bool force, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(body);
        var query = new QueryBuilder();
        query.Add("fieldManager", fieldManager);
        if (force)
        {
            query.Add("force", "true");
        }

        return PatchAsync(kind, ns, name, body.ToJsonString(), ApplyPatchContentType, subresource: null, query, cancellationToken);
    }

    /// <summary>JSON merge patch (RFC 7386) of the object or of a subresource such as <c>status</c>.</summary>
    public Task<T> MergePatchAsync<T>(ResourceKind<T> kind, string? ns, string name, JsonNode patch, string? subresource, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(patch);
        return PatchAsync(kind, ns, name, patch.ToJsonString(), MergePatchContentType, subresource, new QueryBuilder(), cancellationToken);
    }

    /// <summary>Deletes with background propagation; a uid precondition protects a recreated namesake. Returns false when already gone.</summary>
    public async Task<bool> DeleteAsync<T>(ResourceKind<T> kind, string? ns, string name, string? preconditionUid, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        var options = new JsonObject
        {
            ["kind"] = "DeleteOptions",
            ["apiVersion"] = "v1",
            ["propagationPolicy"] = "Background",
        };
        if (!string.IsNullOrEmpty(preconditionUid))
        {
            options["preconditions"] = new JsonObject { ["uid"] = preconditionUid };
        }

        var url = Url(kind.ObjectPath(ns, name), null);
        var body = options.ToJsonString();
        try
        {
            return await WithinDeadlineAsync(HttpMethod.Delete, url, async token =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Delete, url) { Content = JsonContent(body, "application/json") };
                using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, token);
                return true;
            }, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return false;
        }
    }

    /// <summary>
    /// The <c>metadata</c> of one object, asked for as <c>PartialObjectMetadata</c> so the server sends nothing else
    /// (no Secret data); null when the object does not exist.
    /// </summary>
    public async Task<JsonObject?> GetMetadataAsync<T>(ResourceKind<T> kind, string? ns, string name, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(kind.ObjectPath(ns, name), null));
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"));
        try
        {
            using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return JsonNode.Parse(text)?["metadata"] is JsonObject metadata ? (JsonObject)metadata.DeepClone() : null;
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>Sends a JSON body to an arbitrary API path and returns the JSON answer; for kinds without a typed descriptor.</summary>
    public Task<JsonNode?> SendJsonAsync(HttpMethod method, string path, JsonNode? body, string contentType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(method);
        var url = Url(path, null);
        var text = body?.ToJsonString();
        return WithinDeadlineAsync(method, url, async token =>
        {
            using var request = new HttpRequestMessage(method, url);
            if (text is not null)
            {
                request.Content = JsonContent(text, contentType);
            }

            using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, token);
            var answer = await response.Content.ReadAsStringAsync(token);
            return answer.Length == 0 ? null : JsonNode.Parse(answer);
        }, cancellationToken);
    }

    private Task<T> PatchAsync<T>(ResourceKind<T> kind, string? ns, string name, string body, string contentType, string? subresource, QueryBuilder query, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        var path = kind.ObjectPath(ns, name);
        if (!string.IsNullOrEmpty(subresource))
        {
            path += "/" + subresource;
        }

        return SendForObjectAsync(HttpMethod.Patch, Url(path, query), (body, contentType), kind, cancellationToken);
    }

    private Task<T> SendForObjectAsync<T>(HttpMethod method, Uri url, (string Body, string MediaType)? content, ResourceKind<T> kind, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        WithinDeadlineAsync(method, url, async token =>
        {
            using var request = new HttpRequestMessage(method, url);
            if (content is { } c)
            {
                request.Content = JsonContent(c.Body, c.MediaType);
            }

            using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, token);
            await using var stream = await response.Content.ReadAsStreamAsync(token);
            return await JsonSerializer.DeserializeAsync(stream, kind.TypeInfo, token)
                ?? throw new KubeApiException(response.StatusCode, null, $"Empty response body from {method} {url.PathAndQuery}");
        }, cancellationToken);

    /// <summary>
    /// Runs one whole request (headers and body) under <see cref="KubeApiClientOptions.RequestTimeout"/>: an API server
    /// that accepted the connection and never answers, or a connection that went half-open, fails the call instead of
    /// holding its caller forever.
    /// </summary>
    private async Task<TResult> WithinDeadlineAsync<TResult>(HttpMethod method, Uri url, Func<CancellationToken, Task<TResult>> call, CancellationToken cancellationToken)
    {
        if (_options.RequestTimeout == Timeout.InfiniteTimeSpan)
        {
            return await call(cancellationToken);
        }

        using var deadline = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await call(linked.Token);
        }
        catch (Exception e) when (IsOwnTimeout(e, linked, cancellationToken))
        {
            throw TimedOut(method, url, "gave no complete answer", _options.RequestTimeout, e);
        }
    }

    /// <summary>A failure caused by our own deadline firing, not by the caller giving up.</summary>
    private static bool IsOwnTimeout(Exception e, CancellationTokenSource linked, CancellationToken callerToken) =>
        linked.IsCancellationRequested && !callerToken.IsCancellationRequested && e is OperationCanceledException or IOException or HttpRequestException;

    private static KubeApiException TimedOut(HttpMethod method, Uri? url, string what, TimeSpan timeout, Exception inner)
    {
        var message = $"{method} {url?.PathAndQuery} timed out: the API server {what} within {Seconds(timeout)}";
        return new KubeApiException(message, new TimeoutException(message, inner));
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_authenticate is not null)
        {
            await _authenticate(request, cancellationToken);
        }

        var response = await _http.SendAsync(request, completion, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var (reason, message) = ParseStatus(text);
            throw new KubeApiException(
                response.StatusCode,
                reason,
                $"{request.Method} {request.RequestUri?.PathAndQuery} failed with {(int)response.StatusCode} {reason}: {message ?? text}");
        }
    }

    private static ListPage<T> ReadList<T>(ResourceKind<T> kind, JsonElement root)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        string? resourceVersion = null;
        string? continueToken = null;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
        {
            resourceVersion = StringProperty(metadata, "resourceVersion");
            continueToken = StringProperty(metadata, "continue");
        }

        var items = new List<T>();
        List<UndecodableObject>? undecodable = null;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("items", out var itemsElement) && itemsElement.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in itemsElement.EnumerateArray())
            {
                if (TryDecode(kind, item, out var bad) is { } obj)
                {
                    items.Add(obj);
                }
                else
                {
                    (undecodable ??= []).Add(bad!);
                }
            }
        }

        return new ListPage<T>(items, resourceVersion, string.IsNullOrEmpty(continueToken) ? null : continueToken)
        {
            Undecodable = undecodable ?? [],
        };
    }

    /// <summary>
    /// Reads one object. A value that does not fit the C# type (4294967296 for an <c>int</c>, a string where an object
    /// belongs, an unparsable quantity) is reported with the object's identity and the decoder's message instead of thrown.
    /// </summary>
    private static T? TryDecode<T>(ResourceKind<T> kind, JsonElement element, out UndecodableObject? undecodable)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        T? obj;
        try
        {
            obj = element.Deserialize(kind.TypeInfo);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or OverflowException or ArgumentException or NotSupportedException)
        {
            undecodable = Identify(element, e.Message);
            return null;
        }

        if (obj is null || string.IsNullOrEmpty(obj.Metadata?.Name))
        {
            undecodable = Identify(element, obj is null ? "the object is null" : "the object has no metadata.name");
            return null;
        }

        // Items in a list carry no apiVersion/kind; fill them so cached objects serialise like single GETs.
        obj.ApiVersion ??= kind.ApiVersion;
        obj.Kind ??= kind.Kind;
        undecodable = null;
        return obj;
    }

    private static UndecodableObject Identify(JsonElement element, string error)
    {
        string? ns = null, name = null, resourceVersion = null;
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
        {
            ns = StringProperty(metadata, "namespace");
            name = StringProperty(metadata, "name");
            resourceVersion = StringProperty(metadata, "resourceVersion");
        }

        return new UndecodableObject(ns, name, resourceVersion, error);
    }

    private static WatchEvent<T> ParseWatchLine<T>(ResourceKind<T> kind, string line)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var type = StringProperty(root, "type");
        if (!root.TryGetProperty("object", out var objectElement) || objectElement.ValueKind != JsonValueKind.Object)
        {
            throw new KubeApiException($"Watch event without an object: {line}");
        }

        if (type == "ERROR" || StringProperty(objectElement, "kind") == "Status")
        {
            var code = objectElement.TryGetProperty("code", out var codeElement) && codeElement.TryGetInt32(out var c) ? c : 500;
            throw new KubeApiException((HttpStatusCode)code, StringProperty(objectElement, "reason"), $"Watch of {kind} ended with an error: {StringProperty(objectElement, "message")}");
        }

        if (type == "BOOKMARK")
        {
            var rv = objectElement.TryGetProperty("metadata", out var meta) && meta.ValueKind == JsonValueKind.Object ? StringProperty(meta, "resourceVersion") : null;
            return new WatchEvent<T>(WatchEventKind.Bookmark, null, rv);
        }

        var eventKind = type switch
        {
            "ADDED" => WatchEventKind.Added,
            "MODIFIED" => WatchEventKind.Modified,
            "DELETED" => WatchEventKind.Deleted,
            _ => throw new KubeApiException($"Unknown watch event type '{type}'"),
        };
        return TryDecode(kind, objectElement, out var undecodable) is { } obj
            ? new WatchEvent<T>(eventKind, obj, obj.Metadata.ResourceVersion)
            : new WatchEvent<T>(eventKind, null, undecodable!.ResourceVersion, undecodable);
    }

    private static (string? Reason, string? Message) ParseStatus(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? (StringProperty(document.RootElement, "reason"), StringProperty(document.RootElement, "message"))
                : (null, null);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static T WithTypeMeta<T>(ResourceKind<T> kind, T obj)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        obj.ApiVersion ??= kind.ApiVersion;
        obj.Kind ??= kind.Kind;
        return obj;
    }

    private static StringContent JsonContent(string body, string mediaType)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    private static void AddSelectors(QueryBuilder query, ListOptions? options)
    {
        query.Add("labelSelector", options?.LabelSelector);
        query.Add("fieldSelector", options?.FieldSelector);
    }

    private Uri Url(string path, QueryBuilder? query)
    {
        var basePath = _baseAddress.AbsoluteUri.TrimEnd('/');
        return new Uri(basePath + path + (query?.ToString() ?? string.Empty));
    }

    private sealed class QueryBuilder
    {
        private readonly StringBuilder _text = new();

        public void Add(string name, string? value)
        {
            if (string.IsNullOrEmpty(value))
            {
                return;
            }

            _text.Append(_text.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }

        public override string ToString() => _text.ToString();
    }
}
