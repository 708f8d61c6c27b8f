using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Drover.ControllerRuntime.Client;

namespace Drover.Bench;

/// <summary>
/// The harness's own connection to the dev cluster. Every request carries the User-Agent <see cref="Client"/>, so the
/// dev cluster's request counters keep the harness's writes apart from the operator's.
/// </summary>
internal sealed class BenchCluster : IDisposable
{
    /// <summary>The User-Agent product the harness sends; the dev cluster counts requests under it.</summary>
    public const string Client = "drover-bench";

    private static readonly Dictionary<string, (string Prefix, string Plural, bool Namespaced)> Collections = new(StringComparer.Ordinal)
    {
        ["v1/Namespace"] = ("/api/v1", "namespaces", false),
        ["v1/Secret"] = ("/api/v1", "secrets", true),
        ["v1/ConfigMap"] = ("/api/v1", "configmaps", true),
        ["v1/Service"] = ("/api/v1", "services", true),
        ["drover.dev/v1alpha1/ModelProvider"] = ("/apis/drover.dev/v1alpha1", "modelproviders", true),
        ["drover.dev/v1alpha1/Agent"] = ("/apis/drover.dev/v1alpha1", "agents", true),
        ["drover.dev/v1alpha1/Schedule"] = ("/apis/drover.dev/v1alpha1", "schedules", true),
    };

    private readonly HttpClient _http;

    public BenchCluster(Uri baseAddress)
    {
        BaseAddress = baseAddress;
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue(Client, "0.1"));
        Api = new KubeApiClient(_http, baseAddress);
    }

    public Uri BaseAddress { get; }

    /// <summary>The typed client (watches for the harness's informers), on the same connection and User-Agent.</summary>
    public KubeApiClient Api { get; }

    /// <summary>The collection path a manifest is created in.</summary>
    public static string CollectionPath(JsonObject manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var key = $"{manifest["apiVersion"]}/{manifest["kind"]}";
        if (!Collections.TryGetValue(key, out var collection))
        {
            throw new ArgumentException($"the harness does not create {key}", nameof(manifest));
        }

        var ns = manifest["metadata"]?["namespace"]?.GetValue<string>();
        return collection.Namespaced ? $"{collection.Prefix}/namespaces/{ns}/{collection.Plural}" : $"{collection.Prefix}/{collection.Plural}";
    }

    /// <summary>Posts the CRD files (YAML) and waits until the API serves all three kinds.</summary>
    public async Task InstallCrdsAsync(string directory, CancellationToken cancellationToken)
    {
        foreach (var file in Directory.EnumerateFiles(directory, "*.yaml").Order(StringComparer.Ordinal))
        {
            using var content = new ByteArrayContent(await File.ReadAllBytesAsync(file, cancellationToken));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/yaml");
            using var response = await _http.PostAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", content, cancellationToken);
            await EnsureAsync(response, $"create CRD {Path.GetFileName(file)}", cancellationToken);
        }

        await Poll.UntilAsync(
            async () =>
            {
                using var response = await _http.GetAsync("/apis/drover.dev/v1alpha1", cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    return false;
                }

                var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                return document?["resources"]?.AsArray().Count >= 3;
            },
            TimeSpan.FromSeconds(30),
            "the drover.dev CRDs to be served",
            cancellationToken);
    }

    public async Task CreateAsync(JsonObject manifest, CancellationToken cancellationToken)
    {
        using var content = Json(manifest, "application/json");
        using var response = await _http.PostAsync(CollectionPath(manifest), content, cancellationToken);
        await EnsureAsync(response, $"create {manifest["kind"]} {manifest["metadata"]?["namespace"]}/{manifest["metadata"]?["name"]}", cancellationToken);
    }

    /// <summary>Creates every manifest with up to <paramref name="concurrency"/> requests in flight.</summary>
    public Task CreateAllAsync(IEnumerable<JsonObject> manifests, int concurrency, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            manifests,
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (manifest, token) => await CreateAsync(manifest, token));

    public async Task MergePatchAsync(string path, JsonObject patch, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, path) { Content = Json(patch, "application/merge-patch+json") };
        using var response = await _http.SendAsync(request, cancellationToken);
        await EnsureAsync(response, $"patch {path}", cancellationToken);
    }

    /// <summary>The dev cluster's request counters (<c>GET /debug/requests</c>).</summary>
    public async Task<RequestCounts> CountsAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync("/debug/requests", cancellationToken);
        await EnsureAsync(response, "read /debug/requests", cancellationToken);
        return RequestCounts.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
    }

    public async Task ResetCountsAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync("/debug/requests/reset", null, cancellationToken);
        await EnsureAsync(response, "reset /debug/requests", cancellationToken);
    }

    /// <summary>How many objects a list of <paramref name="path"/> with the label selector returns.</summary>
    public async Task<int> CountAsync(string path, string labelSelector, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"{path}?labelSelector={Uri.EscapeDataString(labelSelector)}", cancellationToken);
        await EnsureAsync(response, $"list {path}", cancellationToken);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return document?["items"]?.AsArray().Count ?? 0;
    }

    public void Dispose() => _http.Dispose();

    private static StringContent Json(JsonObject body, string mediaType)
    {
        var content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        throw new HttpRequestException($"{what}: {(int)response.StatusCode} {body}", null, response.StatusCode == 0 ? HttpStatusCode.InternalServerError : response.StatusCode);
    }
}
