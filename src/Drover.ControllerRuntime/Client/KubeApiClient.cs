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

    public KubeApiClient(HttpClient http, Uri baseAddress, Func<HttpRequestMessage, CancellationToken, Task>? authenticate = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(baseAddress);
        _http = http;
        _baseAddress = baseAddress;
        _authenticate = authenticate;
    }

    /// <summary>
    /// Builds a client from a kubeconfig-derived or in-cluster configuration. Watches need no client timeout, so
    /// none is set.
    /// </summary>
    /// <param name="config">Where the API server is and how to authenticate to it.</param>
    /// <param name="userAgent">Names the caller in the API server's audit log and metrics (<c>drover/0.1.0</c>).</param>
    public static KubeApiClient FromConfig(KubernetesClientConfiguration config, string userAgent)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.HttpClientTimeout = Timeout.InfiniteTimeSpan;
        var transport = KubeTransport.Create(config, userAgent);
        return new KubeApiClient(transport.Http, transport.BaseAddress, transport.Prepare);
    }

    public Uri BaseAddress => _baseAddress;

    public async Task<ListPage<T>> ListAsync<T>(ResourceKind<T> kind, string? ns, ListOptions? options, CancellationToken cancellationToken)
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

        using var request = new HttpRequestMessage(HttpMethod.Get, Url(kind.CollectionPath(ns), query));
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        var root = document.RootElement;
        string? resourceVersion = null;
        string? continueToken = null;
        if (root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
        {
            resourceVersion = StringProperty(metadata, "resourceVersion");
            continueToken = StringProperty(metadata, "continue");
        }

        var items = new List<T>();
        if (root.TryGetProperty("items", out var itemsElement) && itemsElement.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in itemsElement.EnumerateArray())
            {
                var obj = item.Deserialize(kind.TypeInfo);
                if (obj is not null)
                {
                    // Items in a list carry no apiVersion/kind; fill them so cached objects serialise like single GETs.
                    obj.ApiVersion ??= kind.ApiVersion;
                    obj.Kind ??= kind.Kind;
                    items.Add(obj);
                }
            }
        }

        return new ListPage<T>(items, resourceVersion, string.IsNullOrEmpty(continueToken) ? null : continueToken);
    }

    /// <summary>
    /// Opens a watch from <paramref name="resourceVersion"/> and yields events as lines arrive. Ends when the server
    /// closes the stream; an ERROR event becomes a <see cref="KubeApiException"/> (410 Expired means relist).
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

        using var request = new HttpRequestMessage(HttpMethod.Get, Url(kind.CollectionPath(ns), query));
        using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        onConnected?.Invoke();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (true)
        {
            var line = await reader.ReadLineAsync(cancellationToken);
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

    public async Task<T?> GetAsync<T>(ResourceKind<T> kind, string? ns, string name, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(kind.ObjectPath(ns, name), null));
        try
        {
            return await SendForObjectAsync(request, kind, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    public async Task<T> CreateAsync<T>(ResourceKind<T> kind, T obj, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(obj);
        using var request = new HttpRequestMessage(HttpMethod.Post, Url(kind.CollectionPath(obj.Metadata?.NamespaceProperty), null))
        {
            Content = JsonContent(JsonSerializer.Serialize(WithTypeMeta(kind, obj), kind.TypeInfo), "application/json"),
        };
        return await SendForObjectAsync(request, kind, cancellationToken);
    }

    /// <summary>PUT with the object's resourceVersion: a 409 <see cref="KubeApiException"/> means someone else wrote first.</summary>
    public async Task<T> ReplaceAsync<T>(ResourceKind<T> kind, T obj, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(obj);
        using var request = new HttpRequestMessage(HttpMethod.Put, Url(kind.ObjectPath(obj.Metadata?.NamespaceProperty, obj.Metadata?.Name ?? string.Empty), null))
        {
            Content = JsonContent(JsonSerializer.Serialize(WithTypeMeta(kind, obj), kind.TypeInfo), "application/json"),
        };
        return await SendForObjectAsync(request, kind, cancellationToken);
    }

    /// <summary>Server-side apply: PATCH <c>application/apply-patch+yaml</c> (JSON is YAML) with the field manager, forcing ownership.</summary>
    public async Task<T> ApplyAsync<T>(ResourceKind<T> kind, string? ns, string name, JsonNode body, string fieldManager, bool force, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(body);
        var query = new QueryBuilder();
        query.Add("fieldManager", fieldManager);
        if (force)
        {
            query.Add("force", "true");
        }

        return await PatchAsync(kind, ns, name, body.ToJsonString(), ApplyPatchContentType, subresource: null, query, cancellationToken);
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

        using var request = new HttpRequestMessage(HttpMethod.Delete, Url(kind.ObjectPath(ns, name), null))
        {
            Content = JsonContent(options.ToJsonString(), "application/json"),
        };
        try
        {
            using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            return true;
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
    public async Task<JsonNode?> SendJsonAsync(HttpMethod method, string path, JsonNode? body, string contentType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, Url(path, null));
        if (body is not null)
        {
            request.Content = JsonContent(body.ToJsonString(), contentType);
        }

        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    private async Task<T> PatchAsync<T>(ResourceKind<T> kind, string? ns, string name, string body, string contentType, string? subresource, QueryBuilder query, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        var path = kind.ObjectPath(ns, name);
        if (!string.IsNullOrEmpty(subresource))
        {
            path += "/" + subresource;
        }

        using var request = new HttpRequestMessage(HttpMethod.Patch, Url(path, query))
        {
            Content = JsonContent(body, contentType),
        };
        return await SendForObjectAsync(request, kind, cancellationToken);
    }

    private async Task<T> SendForObjectAsync<T>(HttpRequestMessage request, ResourceKind<T> kind, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var obj = await JsonSerializer.DeserializeAsync(stream, kind.TypeInfo, cancellationToken)
            ?? throw new KubeApiException(response.StatusCode, null, $"Empty response body from {request.Method} {request.RequestUri}");
        return obj;
    }

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
            var rv = objectElement.TryGetProperty("metadata", out var meta) ? StringProperty(meta, "resourceVersion") : null;
            return new WatchEvent<T>(WatchEventKind.Bookmark, null, rv);
        }

        var eventKind = type switch
        {
            "ADDED" => WatchEventKind.Added,
            "MODIFIED" => WatchEventKind.Modified,
            "DELETED" => WatchEventKind.Deleted,
            _ => throw new KubeApiException($"Unknown watch event type '{type}'"),
        };
        var obj = objectElement.Deserialize(kind.TypeInfo) ?? throw new KubeApiException($"Watch event with a null object: {line}");
        obj.ApiVersion ??= kind.ApiVersion;
        obj.Kind ??= kind.Kind;
        return new WatchEvent<T>(eventKind, obj, obj.Metadata?.ResourceVersion);
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
