using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Resources;
using Drover.DevCluster.Storage;
using Drover.DevCluster.Tables;
using Drover.DevCluster.TestControls;
using Microsoft.AspNetCore.Http;

namespace Drover.DevCluster.Http;

/// <summary>
/// Serves a watch: HTTP 200 with one compact JSON event per line, flushed as it happens, with the
/// resourceVersion semantics of the real server (initial ADDED events, resumption, 410 as an ERROR event,
/// bookmarks, watch-list's initial-events-end bookmark, timeoutSeconds).
/// </summary>
internal static class WatchStreamer
{
    public sealed record Parameters(
        string? ResourceVersion,
        bool AllowBookmarks,
        bool? SendInitialEvents,
        string? ResourceVersionMatch,
        TimeSpan Timeout,
        bool AsTable,
        string? IncludeObject);

    public static async Task StreamAsync(
        HttpContext context,
        ResourceType type,
        ObjectStore store,
        string ns,
        Func<JsonObject, bool>? filter,
        Parameters parameters,
        FaultInjector faults,
        TimeSpan bookmarkInterval,
        TimeProvider time)
    {
        var start = Start(parameters, store, faults, out var expired);
        var opening = expired ? null : store.Watch(type.StorageKey, ns, filter, start!);
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-cache, private";
        await response.StartAsync(context.RequestAborted);
        if (opening?.Subscription is not { } subscription)
        {
            var message = opening?.ExpiredMessage ?? $"too old resource version: {parameters.ResourceVersion} ({store.CompactedThrough + 1})";
            var error = ApiException.Expired(message).ToStatus();
            var line = new JsonObject { ["type"] = "ERROR", ["object"] = error };
            await response.Body.WriteAsync(Encoding.UTF8.GetBytes(line.ToJsonString() + "\n"), context.RequestAborted);
            await response.Body.FlushAsync(context.RequestAborted);
            return;
        }

        using (subscription)
        {
            await response.Body.FlushAsync(context.RequestAborted);
            using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            lifetime.CancelAfter(parameters.Timeout);
            var bookmarks = parameters.AllowBookmarks ? SendBookmarksAsync(subscription, bookmarkInterval, time, lifetime.Token) : Task.CompletedTask;
            var first = true;
            try
            {
                var reader = subscription.Events;
                while (await reader.WaitToReadAsync(lifetime.Token))
                {
                    while (reader.TryRead(out var change))
                    {
                        var bytes = Encode(type, change, parameters, time, first);
                        first = false;
                        await response.Body.WriteAsync(bytes, lifetime.Token);
                    }

                    await response.Body.FlushAsync(lifetime.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // The deadline passed or the client went away: the stream simply ends.
            }
            finally
            {
                await lifetime.CancelAsync();
                await bookmarks;
            }
        }
    }

    private static WatchStart? Start(Parameters parameters, ObjectStore store, FaultInjector faults, out bool expired)
    {
        expired = false;
        var rv = parameters.ResourceVersion;
        if (parameters.SendInitialEvents == true)
        {
            if (!parameters.AllowBookmarks || parameters.ResourceVersionMatch != "NotOlderThan")
            {
                throw ApiException.Invalid("meta.k8s.io", "ListOptions", string.Empty,
                [
                    ("sendInitialEvents", "FieldValueForbidden", "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan and allowWatchBookmarks to true"),
                ]);
            }

            return new WatchStart(null, SendInitialObjects: true, InitialEventsEndBookmark: true);
        }

        if (string.IsNullOrEmpty(rv) || rv == "0")
        {
            return parameters.SendInitialEvents == false
                ? new WatchStart(store.ResourceVersion, false, false)
                : new WatchStart(null, SendInitialObjects: true, InitialEventsEndBookmark: false);
        }

        if (!long.TryParse(rv, NumberStyles.None, CultureInfo.InvariantCulture, out var after))
        {
            throw ApiException.BadRequest($"invalid resource version: {rv}");
        }

        if (faults.TakeWatchExpiry())
        {
            expired = true;
            return null;
        }

        return new WatchStart(after, false, false);
    }

    private static async Task SendBookmarksAsync(WatchSubscription subscription, TimeSpan interval, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(interval, time, cancellationToken);
                subscription.RequestBookmark();
            }
        }
        catch (OperationCanceledException)
        {
            // The watch ended.
        }
    }

    private static byte[] Encode(ResourceType type, WatchEvent change, Parameters parameters, TimeProvider time, bool first)
    {
        byte[] objectBytes;
        if (change.Object is null)
        {
            var metadata = new JsonObject { ["resourceVersion"] = change.ResourceVersion.ToString(CultureInfo.InvariantCulture) };
            if (change.InitialEventsEnd)
            {
                metadata["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
            }

            var bookmark = new JsonObject
            {
                ["kind"] = parameters.AsTable ? "Table" : type.Kind,
                ["apiVersion"] = parameters.AsTable ? "meta.k8s.io/v1" : type.ApiVersion,
                ["metadata"] = metadata,
            };
            objectBytes = JsonSerializer.SerializeToUtf8Bytes(bookmark, StoreJson.Default.JsonObject);
        }
        else if (parameters.AsTable)
        {
            var table = TableBuilder.Build(type, [ResponseWriting.AsVersion(type, change.Object.Object)], parameters.IncludeObject, time.GetUtcNow(), withColumns: first,
                resourceVersion: change.ResourceVersion.ToString(CultureInfo.InvariantCulture));
            objectBytes = JsonSerializer.SerializeToUtf8Bytes(table, StoreJson.Default.JsonObject);
        }
        else
        {
            objectBytes = ResponseWriting.Encoded(type, change.Object);
        }

        var prefix = Encoding.UTF8.GetBytes($"{{\"type\":\"{change.Type}\",\"object\":");
        var line = new byte[prefix.Length + objectBytes.Length + 2];
        prefix.CopyTo(line, 0);
        objectBytes.CopyTo(line, prefix.Length);
        line[^2] = (byte)'}';
        line[^1] = (byte)'\n';
        return line;
    }
}
