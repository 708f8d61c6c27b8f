using System.Text.Json;
using Drover.Gateway.Configuration;
using Drover.Gateway.Wire;
using Microsoft.AspNetCore.Http;

namespace Drover.Gateway.Proxy;

/// <summary>
/// <c>GET /v1/models</c>: the models the caller's chain allows, in OpenAI's list shape, or in Anthropic's when the
/// caller is an Anthropic SDK (it sends anthropic-version).
/// </summary>
internal sealed class ModelsEndpoint(GatewayDirectory directory)
{
    public async Task ServeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var anthropic = context.Request.Headers.ContainsKey("anthropic-version");
        var caller = ModelProxy.Token(context.Request) is { } token ? directory.Authenticate(token) : null;
        if (caller is null)
        {
            await GatewayError.Unauthorized("No valid gateway key: send the agent's key as \"Authorization: Bearer <key>\" or \"x-api-key: <key>\".")
                .WriteAsync(context, anthropic, "req_" + Guid.NewGuid().ToString("N"));
            return;
        }

        var models = new List<(string Id, string Provider, DateTimeOffset Created)>();
        foreach (var link in GatewayDirectory.Chain(caller))
        {
            var provider = directory.View.Provider(link.ProviderNamespace, link.ProviderName);
            var id = link.Model ?? provider?.Spec.DefaultModel;
            if (id is not null && models.All(m => m.Id != id))
            {
                var created = provider?.Metadata.CreationTimestamp is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : DateTimeOffset.UnixEpoch;
                models.Add((id, link.ProviderKey, created));
            }
        }

        context.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (!anthropic)
            {
                writer.WriteString("object", "list");
            }

            writer.WriteStartArray("data");
            foreach (var (id, provider, created) in models)
            {
                writer.WriteStartObject();
                if (anthropic)
                {
                    writer.WriteString("type", "model");
                    writer.WriteString("id", id);
                    writer.WriteString("display_name", id);
                    writer.WriteString("created_at", created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    writer.WriteString("id", id);
                    writer.WriteString("object", "model");
                    writer.WriteNumber("created", created.ToUnixTimeSeconds());
                    writer.WriteString("owned_by", provider);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (anthropic)
            {
                writer.WriteBoolean("has_more", false);
                if (models.Count > 0)
                {
                    writer.WriteString("first_id", models[0].Id);
                    writer.WriteString("last_id", models[^1].Id);
                }
                else
                {
                    writer.WriteNull("first_id");
                    writer.WriteNull("last_id");
                }
            }

            writer.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }
}
