using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Web;

namespace Drover.ControllerRuntime.Tests.Informers;

/// <summary>
/// A tiny in-memory API server for ConfigMaps in namespace <c>default</c>, as an <see cref="HttpMessageHandler"/>:
/// paged lists, watches that replay from a resourceVersion and stay open, bookmarks, dropped streams and 410 Expired.
/// It lets the informer's wire behaviour be tested exactly, without the dev cluster.
/// </summary>
public sealed class ScriptedApiServer : HttpMessageHandler
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly List<(long Version, string Line)> _log = [];
    private readonly List<Pipe> _watches = [];
    private long _version = 100;
    private long _oldestWatchable;
    private bool _expireNextWatch;
    private int _failNext;

    public int Lists { get; private set; }

    public int WatchRequests { get; private set; }

    public List<string?> WatchVersions { get; } = [];

    public int OpenWatches
    {
        get
        {
            lock (_lock)
            {
                return _watches.Count;
            }
        }
    }

    public long Put(string name, string value, string? controllerOwner = null)
    {
        lock (_lock)
        {
            var version = ++_version;
            var type = _objects.ContainsKey(name) ? "MODIFIED" : "ADDED";
            var obj = ConfigMap(name, value, version);
            if (controllerOwner is not null)
            {
                obj["metadata"]!["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "ConfigMap",
                    ["name"] = controllerOwner,
                    ["uid"] = "uid-" + controllerOwner,
                    ["controller"] = true,
                });
            }

            _objects[name] = obj;
            Publish(version, type, obj);
            return version;
        }
    }

    /// <summary>
    /// Stores a version of <paramref name="name"/> that no ConfigMap type can hold (a number as a data value), as a
    /// tenant's out-of-range field does to a typed informer.
    /// </summary>
    public long PutUnreadable(string name)
    {
        lock (_lock)
        {
            var version = ++_version;
            var type = _objects.ContainsKey(name) ? "MODIFIED" : "ADDED";
            var obj = ConfigMap(name, "x", version);
            obj["data"] = new JsonObject { ["value"] = 4294967296 };
            _objects[name] = obj;
            Publish(version, type, obj);
            return version;
        }
    }

    public void Delete(string name)
    {
        lock (_lock)
        {
            if (_objects.Remove(name, out var obj))
            {
                var version = ++_version;
                obj["metadata"]!["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture);
                Publish(version, "DELETED", obj);
            }
        }
    }

    public long Bookmark()
    {
        lock (_lock)
        {
            var version = ++_version;
            var bookmark = new JsonObject
            {
                ["kind"] = "ConfigMap",
                ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject { ["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture) },
            };
            Publish(version, "BOOKMARK", bookmark, logged: false);
            return version;
        }
    }

    /// <summary>Ends every open watch stream cleanly, as an API server restart or a load balancer would.</summary>
    public void DropAllWatches()
    {
        lock (_lock)
        {
            foreach (var pipe in _watches)
            {
                pipe.Writer.Complete();
            }

            _watches.Clear();
        }
    }

    /// <summary>Forgets history: a watch from any version seen so far gets 410 Expired, as after etcd compaction.</summary>
    public void Compact()
    {
        lock (_lock)
        {
            _oldestWatchable = _version;
            _log.Clear();
        }
    }

    public void ExpireNextWatch()
    {
        lock (_lock)
        {
            _expireNextWatch = true;
        }
    }

    public void FailNext(int count)
    {
        lock (_lock)
        {
            _failNext = count;
        }
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var query = HttpUtility.ParseQueryString(request.RequestUri!.Query);
        lock (_lock)
        {
            if (_failNext > 0)
            {
                _failNext--;
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError)
                {
                    Content = new StringContent("""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"InternalError","code":500}"""),
                });
            }

            return Task.FromResult(query["watch"] == "true" ? Watch(query["resourceVersion"]) : List(query["limit"], query["continue"]));
        }
    }

    private HttpResponseMessage List(string? limitText, string? continueToken)
    {
        Lists++;
        var limit = string.IsNullOrEmpty(limitText) ? int.MaxValue : int.Parse(limitText, CultureInfo.InvariantCulture);
        var skip = string.IsNullOrEmpty(continueToken) ? 0 : int.Parse(continueToken, CultureInfo.InvariantCulture);
        var page = _objects.Values.Skip(skip).Take(limit).ToList();
        var items = new JsonArray();
        foreach (var obj in page)
        {
            items.Add(obj.DeepClone());
        }

        var metadata = new JsonObject { ["resourceVersion"] = _version.ToString(CultureInfo.InvariantCulture) };
        if (skip + page.Count < _objects.Count)
        {
            metadata["continue"] = (skip + page.Count).ToString(CultureInfo.InvariantCulture);
        }

        var body = new JsonObject { ["kind"] = "ConfigMapList", ["apiVersion"] = "v1", ["metadata"] = metadata, ["items"] = items };
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
    }

    private HttpResponseMessage Watch(string? resourceVersion)
    {
        WatchRequests++;
        WatchVersions.Add(resourceVersion);
        var from = long.Parse(resourceVersion ?? "0", CultureInfo.InvariantCulture);
        var pipe = new Pipe();
        if (_expireNextWatch || from < _oldestWatchable)
        {
            _expireNextWatch = false;
            Write(pipe, """{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version","reason":"Expired","code":410}}""");
            pipe.Writer.Complete();
        }
        else
        {
            foreach (var (_, line) in _log.Where(e => e.Version > from))
            {
                Write(pipe, line);
            }

            _watches.Add(pipe);
        }

        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(pipe.Reader.AsStream()) };
    }

    private void Publish(long version, string type, JsonObject obj, bool logged = true)
    {
        var line = new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString();
        if (logged)
        {
            _log.Add((version, line));
        }

        foreach (var pipe in _watches)
        {
            Write(pipe, line);
        }
    }

    private static void Write(Pipe pipe, string line)
    {
        pipe.Writer.Write(Encoding.UTF8.GetBytes(line + "\n"));
        _ = pipe.Writer.FlushAsync().AsTask();
    }

    private static JsonObject ConfigMap(string name, string value, long version) => new()
    {
        ["kind"] = "ConfigMap",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = "default",
            ["uid"] = "uid-" + name,
            ["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture),
        },
        ["data"] = new JsonObject { ["value"] = value },
    };
}
