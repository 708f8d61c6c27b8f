using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Drover.Operator.Children;

/// <summary>
/// Short, stable SHA-256 hashes. JSON is hashed in a canonical form (object keys sorted, no whitespace), so the
/// order fields were written in never changes a hash and a steady state never rolls an agent.
/// </summary>
internal static class ContentHash
{
    /// <summary>Hex characters kept: 64 bits is plenty to notice a change and short enough to read in kubectl.</summary>
    public const int Length = 16;

    public static string Of(JsonNode? node) => Of(Canonical(node));

    public static string Of(string text) => Of(Encoding.UTF8.GetBytes(text));

    public static string Of(ReadOnlySpan<byte> bytes) =>
        Convert.ToHexStringLower(SHA256.HashData(bytes))[..Length];

    /// <summary>The canonical UTF-8 JSON of <paramref name="node"/>: keys sorted ordinally at every level.</summary>
    public static byte[] Canonical(JsonNode? node, bool indented = false)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            Write(writer, node);
        }

        return buffer.ToArray();
    }

    private static void Write(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    Write(writer, value);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
