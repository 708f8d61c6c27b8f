using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Drover.DevCluster.Access;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Resources;
using Drover.DevCluster.Selectors;
using Drover.DevCluster.Storage;
using Drover.DevCluster.Tables;
using Drover.DevCluster.TestControls;
using Drover.DevCluster.Writes;
using Microsoft.AspNetCore.Http;

namespace Drover.DevCluster.Http;

/// <summary>The server's single request handler: health, version, discovery, OpenAPI and every resource verb.</summary>
internal sealed class ApiRequestHandler
{
    private readonly ResourceOperations _operations;
    private readonly RequestCounters _counters;
    private readonly FaultInjector _faults;
    private readonly TimeProvider _time;
    private readonly TimeSpan _bookmarkInterval;
    private readonly AccessControl _access;
    private readonly TestControls.BoundedLog<TestControls.LoggedRequest> _requests;

    public ApiRequestHandler(ResourceOperations operations, RequestCounters counters, FaultInjector faults, TimeProvider time, TimeSpan bookmarkInterval, AccessControl access, TestControls.BoundedLog<TestControls.LoggedRequest> requests)
    {
        _operations = operations;
        _counters = counters;
        _faults = faults;
        _time = time;
        _bookmarkInterval = bookmarkInterval;
        _access = access;
        _requests = requests;
    }

    private ResourceCatalog Catalog => _operations.Catalog;

    /// <summary>When set, told about every request once it is answered (method, path and query, status).</summary>
    public Action<string, string, int>? RequestLog { get; init; }

    public async Task HandleAsync(HttpContext context)
    {
        // Recorded as the response starts, before the client can see it: whoever reads the log after an answer finds
        // that request in it. A request that fails before answering is recorded when it ends.
        var recorded = false;
        context.Response.OnStarting(() =>
        {
            recorded = true;
            RecordRequest(context);
            return Task.CompletedTask;
        });
        try
        {
            await DispatchAsync(context);
        }
        finally
        {
            RequestLog?.Invoke(context.Request.Method, context.Request.Path + context.Request.QueryString, context.Response.StatusCode);
            if (!recorded)
            {
                RecordRequest(context);
            }
        }
    }

    private void RecordRequest(HttpContext context)
    {
        if (context.Items[typeof(RequestAttributes)] is not RequestAttributes request)
        {
            return;
        }

        var agent = context.Request.Headers.UserAgent.ToString();
        _requests.Add(new TestControls.LoggedRequest(_time.GetUtcNow(), agent, RequestCounters.ClientOf(agent), request.User?.Name, request.User?.Groups ?? [],
            request.Verb, request.ApiGroup, request.ApiVersion, request.Resource, request.Subresource, request.Namespace, request.Name, request.Path, context.Response.StatusCode));
    }

    private async Task DispatchAsync(HttpContext context)
    {
        try
        {
            if (await RequestCountersEndpoint.TryServeAsync(context, _counters))
            {
                return;
            }

            context.Items[typeof(RequestAttributes)] = Describe(context, null);
            var user = _access.Authenticate(context.Request.Headers.Authorization);
            context.Items[typeof(DevClusterUser)] = user;
            context.Items[typeof(RequestAttributes)] = Describe(context, user);
            if (!await TryServeNonResourceAsync(context))
            {
                var path = ResourcePath.Parse(context.Request.Path.Value ?? "/");
                if (path is null)
                {
                    await NotFoundPageAsync(context);
                    return;
                }

                await ServeResourceAsync(context, path);
            }
        }
        catch (ApiException error) when (!context.Response.HasStarted)
        {
            await ResponseWriting.WriteStatusAsync(context, error);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client hung up.
        }
    }

    private async Task<bool> TryServeNonResourceAsync(HttpContext context)
    {
        var path = (context.Request.Path.Value ?? "/").TrimEnd('/');
        var method = context.Request.Method;
        if (method != HttpMethods.Get && method != HttpMethods.Head)
        {
            return false;
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        JsonNode? document;
        switch (segments)
        {
            case ["healthz" or "readyz" or "livez", ..]:
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("ok", context.RequestAborted);
                return true;
            case ["version"]:
                document = DiscoveryDocuments.Version();
                break;
            case ["api"]:
                document = DiscoveryDocuments.CoreVersions($"{context.Request.Host}");
                break;
            case ["apis"]:
                document = DiscoveryDocuments.GroupList(Catalog);
                break;
            case ["apis", var group]:
                document = DiscoveryDocuments.Group(Catalog, group);
                break;
            case ["api", var version]:
                document = DiscoveryDocuments.ResourceList(Catalog, string.Empty, version);
                break;
            case ["apis", var group, var version]:
                document = DiscoveryDocuments.ResourceList(Catalog, group, version);
                break;
            case ["openapi", "v3"]:
                document = OpenApiDocuments.Index(Catalog);
                break;
            case ["openapi", "v3", "api", var version]:
                document = OpenApiDocuments.GroupVersion(Catalog, string.Empty, version);
                break;
            case ["openapi", "v3", "apis", var group, var version]:
                document = OpenApiDocuments.GroupVersion(Catalog, group, version);
                break;
            default:
                return false;
        }

        if (document is null)
        {
            await NotFoundPageAsync(context);
            return true;
        }

        await ResponseWriting.WriteJsonAsync(context, 200, document);
        return true;
    }

    private static Task NotFoundPageAsync(HttpContext context)
    {
        context.Response.StatusCode = 404;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync("404 page not found\n", context.RequestAborted);
    }

    private async Task ServeResourceAsync(HttpContext context, ResourcePath path)
    {
        var request = context.Request;
        var query = request.Query;
        var verb = Verb(request.Method, path, query);
        _counters.Record(RequestCounters.ClientOf(request.Headers.UserAgent), verb, path.CounterResource);
        var attributes = Describe(context, context.Items[typeof(DevClusterUser)] as DevClusterUser);
        if (!await _faults.HoldAsync(path.Resource, path.CounterResource, verb, context.RequestAborted))
        {
            context.Abort();
            return;
        }

        _access.Authorize(attributes);
        if (_faults.Latency > TimeSpan.Zero)
        {
            await Task.Delay(_faults.Latency, _time, context.RequestAborted);
        }

        if (_faults.TakeFailure(path.Resource, path.CounterResource) is { } failure)
        {
            throw Injected(failure.StatusCode, failure.RetryAfter);
        }

        var type = Catalog.Find(path.Group, path.Version, path.Resource);
        if (type is null)
        {
            if (!Catalog.Groups.Any(g => g.Group == path.Group && g.Versions.Contains(path.Version)))
            {
                await NotFoundPageAsync(context);
                return;
            }

            throw ApiException.Custom(404, "NotFound", "the server could not find the requested resource");
        }

        if (path.Subresource is { } sub && !SubresourceServed(type, sub))
        {
            throw ApiException.Custom(404, "NotFound", "the server could not find the requested resource");
        }

        if (!type.Namespaced && path.Namespace.Length > 0)
        {
            throw ApiException.Custom(404, "NotFound", "the server could not find the requested resource");
        }

        if (path.Subresource == "log" && verb != "get")
        {
            throw ApiException.MethodNotAllowed("the server does not allow this method on the requested resource");
        }

        switch (verb)
        {
            case "get":
                await GetAsync(context, type, path);
                break;
            case "list":
                await ListAsync(context, type, path);
                break;
            case "watch":
                await WatchAsync(context, type, path);
                break;
            case "create":
                await CreateAsync(context, type, path);
                break;
            case "update":
                await UpdateAsync(context, type, path);
                break;
            case "patch":
                await PatchAsync(context, type, path);
                break;
            case "delete":
                await DeleteAsync(context, type, path);
                break;
            case "deletecollection":
                await DeleteCollectionAsync(context, type, path);
                break;
            default:
                throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource");
        }
    }

    private static bool SubresourceServed(ResourceType type, string sub) => sub switch
    {
        "status" => type.HasStatusSubresource,
        "scale" => type.Scale is not null,
        "finalize" => type is { Group: "", Plural: "namespaces" },
        "log" => type is { Group: "", Plural: "pods" },
        _ => false,
    };

    private static string Verb(string method, ResourcePath path, IQueryCollection query)
    {
        var named = path.Name.Length > 0;
        var watch = path.LegacyWatch || query["watch"] is ["true" or "1"];
        return method switch
        {
            "GET" or "HEAD" when watch => "watch",
            "GET" or "HEAD" => named ? "get" : "list",
            "POST" when !named => "create",
            "PUT" when named => "update",
            "PATCH" when named => "patch",
            "DELETE" => named ? "delete" : "deletecollection",
            _ => "unsupported",
        };
    }

    /// <summary>The request in authorization's terms (the API server's RequestInfo), for the request log and RBAC.</summary>
    private static RequestAttributes Describe(HttpContext context, DevClusterUser? user)
    {
        var request = context.Request;
        var path = ResourcePath.Parse(request.Path.Value ?? "/");
        if (path is null)
        {
            return RequestAttributes.NonResource(user, request.Method, request.Path.Value ?? "/");
        }

        var verb = Verb(request.Method, path, request.Query);
        return new RequestAttributes(user, verb, path.Group, path.Version, path.Resource, path.Subresource,
            path.Namespace, path.Name.Length > 0 ? path.Name : NameSelected(request.Query), request.Path.Value ?? "/");
    }

    /// <summary>For list and watch, the name a <c>metadata.name=</c> field selector picks, as the API server's RequestInfo takes it.</summary>
    private static string NameSelected(IQueryCollection query)
    {
        foreach (var term in query["fieldSelector"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = term.Split('=', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0].Trim() == "metadata.name" && !term.Contains("!=", StringComparison.Ordinal))
            {
                return parts[1].Trim();
            }
        }

        return string.Empty;
    }

    private static ApiException Injected(int statusCode, TimeSpan? retryAfter)
    {
        var seconds = retryAfter is { } delay ? Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds)) : (int?)null;
        var (reason, message) = statusCode switch
        {
            429 => ("TooManyRequests", "the server has received too many requests and has asked us to try again later"),
            503 => ("ServiceUnavailable", "the server is currently unable to handle the request"),
            504 => ("Timeout", "the server was unable to return a response in the time allotted"),
            _ => ("InternalError", "Internal error occurred: injected fault"),
        };
        var details = seconds is null ? null : new JsonObject { ["retryAfterSeconds"] = seconds };
        return ApiException.Custom(statusCode, reason, message, details, seconds);
    }

    private async Task GetAsync(HttpContext context, ResourceType type, ResourcePath path)
    {
        var obj = _operations.Get(type, path.Namespace, path.Name);
        if (path.Subresource == "log")
        {
            throw PodLogs.Unavailable(obj);
        }

        if (path.Subresource == "scale")
        {
            await ResponseWriting.WriteJsonAsync(context, 200, _operations.ScaleOf(type, obj));
            return;
        }

        if (TableBuilder.Wants(context.Request.Headers.Accept))
        {
            var table = TableBuilder.Build(type, [ResponseWriting.AsVersion(type, obj.Object)], context.Request.Query["includeObject"], _time.GetUtcNow(),
                resourceVersion: obj.ResourceVersion.ToString(CultureInfo.InvariantCulture));
            await ResponseWriting.WriteJsonAsync(context, 200, table);
            return;
        }

        await ResponseWriting.WriteObjectAsync(context, 200, type, obj);
    }

    private async Task ListAsync(HttpContext context, ResourceType type, ResourcePath path)
    {
        var query = context.Request.Query;
        var filter = Filter(type, query);
        var limit = int.TryParse(query["limit"], CultureInfo.InvariantCulture, out var l) && l > 0 ? l : 0;
        (string, string)? after = null;
        long? pinnedVersion = null;
        if (query["continue"] is [{ Length: > 0 } token])
        {
            if (query["resourceVersion"] is [{ Length: > 0 } rv] && rv != "0")
            {
                throw ApiException.BadRequest("specifying resource version is not allowed when using continue");
            }

            (pinnedVersion, after) = ContinueToken.Decode(token);
        }

        var page = _operations.ObjectStore.List(type.StorageKey, path.Namespace, filter is null ? null : o => filter(o.Object), after, limit);
        var listVersion = pinnedVersion ?? page.ResourceVersion;
        var next = page.Next is { } n ? ContinueToken.Encode(listVersion, n) : null;
        if (TableBuilder.Wants(context.Request.Headers.Accept))
        {
            var table = TableBuilder.Build(type, page.Items.Select(o => ResponseWriting.AsVersion(type, o.Object)), query["includeObject"], _time.GetUtcNow(),
                resourceVersion: listVersion.ToString(CultureInfo.InvariantCulture), continueToken: next);
            await ResponseWriting.WriteJsonAsync(context, 200, table);
            return;
        }

        await ResponseWriting.WriteListAsync(context, type, page.Items, listVersion, next);
    }

    private Task WatchAsync(HttpContext context, ResourceType type, ResourcePath path)
    {
        var query = context.Request.Query;
        var filter = Filter(type, query);
        var seconds = long.TryParse(query["timeoutSeconds"], CultureInfo.InvariantCulture, out var t) && t > 0
            ? TimeSpan.FromSeconds(t)
            : TimeSpan.FromMinutes(30 + System.Security.Cryptography.RandomNumberGenerator.GetInt32(30));
        bool? sendInitial = query["sendInitialEvents"] is [{ } s] ? s == "true" : null;
        if (path.Name.Length > 0)
        {
            // /watch/namespaces/{ns}/{resource}/{name}: a single-object watch.
            var name = path.Name;
            var inner = filter;
            filter = o => Json.String(o, "metadata", "name") == name && (inner is null || inner(o));
        }

        var parameters = new WatchStreamer.Parameters(
            query["resourceVersion"],
            query["allowWatchBookmarks"] is ["true" or "1"],
            sendInitial,
            query["resourceVersionMatch"],
            seconds,
            TableBuilder.Wants(context.Request.Headers.Accept),
            query["includeObject"]);
        return WatchStreamer.StreamAsync(context, type, _operations.ObjectStore, path.Namespace, filter, parameters, _faults, _bookmarkInterval, _time);
    }

    private async Task CreateAsync(HttpContext context, ResourceType type, ResourcePath path)
    {
        if (path.Subresource is not null)
        {
            throw ApiException.MethodNotAllowed("the server does not allow this method on the requested resource");
        }

        var body = await ReadObjectAsync(context);
        var options = Options(context);
        var result = _operations.Create(type, path.Namespace, body, options);
        ResponseWriting.AddWarnings(context, options.Warnings);
        await ResponseWriting.WriteObjectAsync(context, 201, type, result.Object);
    }

    private async Task UpdateAsync(HttpContext context, ResourceType type, ResourcePath path)
    {
        var body = await ReadObjectAsync(context);
        var options = Options(context);
        var result = _operations.Update(type, path.Namespace, path.Name, body, path.Subresource, options);
        ResponseWriting.AddWarnings(context, options.Warnings);
        await WriteResultAsync(context, type, path, result);
    }

    private async Task PatchAsync(HttpContext context, ResourceType type, ResourcePath path)
    {
        var mediaType = RequestBodies.MediaType(context.Request.ContentType);
        if (mediaType is not (PatchApplication.JsonPatchType or PatchApplication.MergePatchType or PatchApplication.StrategicMergePatchType or PatchApplication.ApplyPatchType))
        {
            throw ApiException.UnsupportedMediaType($"the body of the request was in an unknown format - accepted media types include: {PatchApplication.AcceptedTypes(type)}");
        }

        var bytes = await ReadBodyAsync(context);
        var patch = RequestBodies.Decode(bytes, mediaType);
        var options = Options(context);
        var force = context.Request.Query["force"] is ["true" or "1"];
        var result = _operations.Patch(type, path.Namespace, path.Name, mediaType, patch, path.Subresource, options, force);
        ResponseWriting.AddWarnings(context, options.Warnings);
        await WriteResultAsync(context, type, path, result);
    }

    private async Task WriteResultAsync(HttpContext context, ResourceType type, ResourcePath path, WriteResult result)
    {
        if (path.Subresource == "scale")
        {
            await ResponseWriting.WriteJsonAsync(context, 200, _operations.ScaleOf(type, result.Object));
            return;
        }

        await ResponseWriting.WriteObjectAsync(context, result.Created ? 201 : 200, type, result.Object);
    }

    private async Task DeleteAsync(HttpContext context, ResourceType type, ResourcePath path)
    {
        var request = await DeleteOptionsAsync(context);
        var result = _operations.Delete(type, path.Namespace, path.Name, request);
        if (!result.Removed || type.ReturnsDeletedObject)
        {
            var code = !result.Removed && request.OrphanDependents == false ? 202 : 200;
            await ResponseWriting.WriteObjectAsync(context, code, type, result.Object);
            return;
        }

        var details = new JsonObject { ["name"] = result.Object.Name };
        if (type.Group.Length > 0)
        {
            details["group"] = type.Group;
        }

        details["kind"] = type.Plural;
        details["uid"] = result.Object.Uid;
        await ResponseWriting.WriteJsonAsync(context, 200, new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["details"] = details,
        });
    }

    private async Task DeleteCollectionAsync(HttpContext context, ResourceType type, ResourcePath path)
    {
        var request = await DeleteOptionsAsync(context);
        var filter = Filter(type, context.Request.Query);
        var page = _operations.ObjectStore.List(type.StorageKey, path.Namespace, filter is null ? null : o => filter(o.Object));
        var deleted = new List<StoredObject>();
        foreach (var obj in page.Items)
        {
            try
            {
                deleted.Add(_operations.Delete(type, obj.Namespace, obj.Name, request).Object);
            }
            catch (ApiException e) when (e.Code == 404)
            {
                // Deleted concurrently; nothing left to do for it.
            }
        }

        await ResponseWriting.WriteListAsync(context, type, deleted, _operations.ObjectStore.ResourceVersion, null);
    }

    private static Func<JsonObject, bool>? Filter(ResourceType type, IQueryCollection query)
    {
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"], type.SelectableFields);
        if (labels.IsEmpty && fields.IsEmpty)
        {
            return null;
        }

        return o => labels.Matches(o) && fields.Matches(o);
    }

    private static WriteOptions Options(HttpContext context)
    {
        var query = context.Request.Query;
        var validation = query["fieldValidation"].ToString();
        if (validation.Length > 0 && validation is not ("Strict" or "Warn" or "Ignore"))
        {
            throw ApiException.BadRequest($"fieldValidation: Unsupported value: \"{validation}\": supported values: \"Ignore\", \"Strict\", \"Warn\"");
        }

        var manager = query["fieldManager"].ToString();
        return new WriteOptions
        {
            FieldManager = manager.Length > 0 ? manager : null,
            FieldValidation = validation.Length > 0 ? validation : "Warn",
            DryRun = query["dryRun"] is ["All"],
            UserAgent = context.Request.Headers.UserAgent.ToString(),
            User = context.Items[typeof(DevClusterUser)] as DevClusterUser,
        };
    }

    private static async Task<DeleteRequest> DeleteOptionsAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var body = await ReadBodyAsync(context);
        var mediaType = RequestBodies.MediaType(context.Request.ContentType);
        var options = RequestBodies.Decode(body, mediaType) as JsonObject;
        bool? orphan = Json.At(options, "orphanDependents") is JsonValue o && o.TryGetValue<bool>(out var b) ? b
            : query["orphanDependents"] is [{ } q] ? q == "true" : null;
        return new DeleteRequest
        {
            PropagationPolicy = Json.String(options, "propagationPolicy") ?? NonEmpty(query["propagationPolicy"]),
            OrphanDependents = orphan,
            PreconditionUid = Json.String(options, "preconditions", "uid"),
            PreconditionResourceVersion = Json.String(options, "preconditions", "resourceVersion"),
            DryRun = query["dryRun"] is ["All"] || Json.Strings(Json.At(options, "dryRun")).Contains("All"),
        };
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static async Task<JsonObject> ReadObjectAsync(HttpContext context)
    {
        var bytes = await ReadBodyAsync(context);
        var node = RequestBodies.Decode(bytes, RequestBodies.MediaType(context.Request.ContentType));
        return node as JsonObject ?? throw ApiException.BadRequest("the body of the request must be a JSON object");
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        return buffer.ToArray();
    }
}

/// <summary>Opaque list continuation: the list's resourceVersion and the last key served.</summary>
internal static class ContinueToken
{
    public static string Encode(long resourceVersion, (string Namespace, string Name) last)
    {
        var text = $"{resourceVersion.ToString(CultureInfo.InvariantCulture)}\n{last.Namespace}\n{last.Name}";
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static (long ResourceVersion, (string Namespace, string Name) Last) Decode(string token)
    {
        try
        {
            var padded = token.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split('\n');
            return (long.Parse(parts[0], CultureInfo.InvariantCulture), (parts[1], parts[2]));
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException)
        {
            throw ApiException.BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
        }
    }
}
