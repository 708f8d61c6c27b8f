using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Resources;
using Drover.DevCluster.Storage;
using Microsoft.AspNetCore.Http;

namespace Drover.DevCluster.Http;

/// <summary>Writes API answers: JSON documents, stored objects (reusing their encoded bytes) and lists.</summary>
internal static class ResponseWriting
{
    public static Task WriteJsonAsync(HttpContext context, int statusCode, JsonNode node)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        var bytes = JsonSerializer.SerializeToUtf8Bytes(node, StoreJson.Default.JsonNode);
        context.Response.ContentLength = bytes.Length;
        return context.Response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }

    public static Task WriteStatusAsync(HttpContext context, ApiException error)
    {
        if (error.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return WriteJsonAsync(context, error.Code, error.ToStatus());
    }

    public static Task WriteObjectAsync(HttpContext context, int statusCode, ResourceType type, StoredObject obj)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        var bytes = Encoded(type, obj);
        context.Response.ContentLength = bytes.Length;
        return context.Response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }

    public static async Task WriteListAsync(HttpContext context, ResourceType type, IReadOnlyList<StoredObject> items, long resourceVersion, string? continueToken)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        var header = new StringBuilder();
        header.Append("{\"kind\":\"").Append(type.ListKind).Append("\",\"apiVersion\":\"").Append(type.ApiVersion)
            .Append("\",\"metadata\":{\"resourceVersion\":\"").Append(resourceVersion).Append('"');
        if (continueToken is not null)
        {
            header.Append(",\"continue\":\"").Append(continueToken).Append('"');
        }

        header.Append("},\"items\":[");
        var writer = context.Response.BodyWriter;
        await writer.WriteAsync(Encoding.UTF8.GetBytes(header.ToString()), context.RequestAborted);
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                await writer.WriteAsync(","u8.ToArray(), context.RequestAborted);
            }

            await writer.WriteAsync(Encoded(type, items[i]), context.RequestAborted);
        }

        await writer.WriteAsync("]}"u8.ToArray(), context.RequestAborted);
    }

    /// <summary>The object's bytes as the requested version presents it (CRD versions share storage; a view converts).</summary>
    public static byte[] Encoded(ResourceType type, StoredObject obj)
    {
        if (type.StoredAs is null && Json.String(obj.Object, "apiVersion") == type.ApiVersion)
        {
            return obj.Json;
        }

        return JsonSerializer.SerializeToUtf8Bytes(AsVersion(type, obj.Object), StoreJson.Default.JsonObject);
    }

    public static JsonObject AsVersion(ResourceType type, JsonObject obj)
    {
        if (type.StoredAs is { } view)
        {
            return view.FromStorage(obj);
        }

        if (Json.String(obj, "apiVersion") == type.ApiVersion)
        {
            return obj;
        }

        var copy = (JsonObject)obj.DeepClone();
        copy["apiVersion"] = type.ApiVersion;
        return copy;
    }

    public static void AddWarnings(HttpContext context, IEnumerable<string> warnings)
    {
        foreach (var warning in warnings)
        {
            context.Response.Headers.Append("Warning", $"299 - \"{warning.Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
        }
    }
}
