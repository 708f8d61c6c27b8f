using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Controllers.Workloads;

/// <summary>
/// The <c>pod-template-hash</c> a Deployment gives each template revision: FNV-32a over the template (with the
/// Deployment's collisionCount when set), its decimal digits spelled in the alphabet names are made of, as the
/// deployment controller does (so hashes look like the real ones, e.g. <c>7c5ddbdf54</c>). The template is hashed
/// with its keys sorted and its empty values left out, as the controller hashes the typed object, so neither field
/// order nor a <c>resources: {}</c> starts a rollout.
/// </summary>
internal static class PodTemplateHash
{
    public const string Label = "pod-template-hash";
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;

    public static string Compute(JsonNode? template, long collisionCount)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteCanonical(writer, template);
        }

        var hash = Fnv(OffsetBasis, buffer.WrittenSpan);
        if (collisionCount > 0)
        {
            Span<byte> count = stackalloc byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(count, (uint)collisionCount);
            hash = Fnv(hash, count);
        }

        var digits = hash.ToString(CultureInfo.InvariantCulture);
        return string.Create(digits.Length, digits, static (span, text) =>
        {
            for (var i = 0; i < text.Length; i++)
            {
                span[i] = Alphabet[text[i] % Alphabet.Length];
            }
        });
    }

    /// <summary>
    /// Whether two templates are the same to the deployment controller (apimachinery's semantic equality): a null,
    /// an empty object and an empty list are all the same as a missing field.
    /// </summary>
    public static bool SameTemplate(JsonNode? a, JsonNode? b) => (a, b) switch
    {
        (JsonObject x, JsonObject y) => x.Where(p => !IsEmpty(p.Value)).All(p => SameTemplate(p.Value, y[p.Key]))
            && y.Where(p => !IsEmpty(p.Value)).All(p => x.ContainsKey(p.Key)),
        (JsonArray x, JsonArray y) => x.Count == y.Count && x.Zip(y).All(p => SameTemplate(p.First, p.Second)),
        _ when IsEmpty(a) && IsEmpty(b) => true,
        _ => JsonNode.DeepEquals(a, b),
    };

    /// <summary>
    /// <see cref="SameTemplate"/> for a ReplicaSet's template against its Deployment's: the ReplicaSet's own
    /// pod-template-hash label does not count. Compares in place, without copying either.
    /// </summary>
    public static bool SameTemplateApartFromHashLabel(JsonObject replicaSetTemplate, JsonObject template)
    {
        if (!SameApart(replicaSetTemplate, template, "metadata"))
        {
            return false;
        }

        var own = replicaSetTemplate["metadata"] as JsonObject;
        var other = template["metadata"] as JsonObject;
        if (!SameApart(own, other, "labels"))
        {
            return false;
        }

        var ownLabels = (own?["labels"] as JsonObject)?.Where(l => l.Key != Label).ToList() ?? [];
        var otherLabels = other?["labels"] as JsonObject;
        return ownLabels.Count == (otherLabels?.Count ?? 0) && ownLabels.All(l => otherLabels is not null && SameTemplate(l.Value, otherLabels[l.Key]));
    }

    /// <summary>Two objects are the same template in every field but <paramref name="skipped"/>.</summary>
    private static bool SameApart(JsonObject? a, JsonObject? b, string skipped)
    {
        foreach (var (key, value) in a ?? [])
        {
            if (key != skipped && !SameTemplate(value, b?[key]))
            {
                return false;
            }
        }

        foreach (var (key, value) in b ?? [])
        {
            if (key != skipped && !IsEmpty(value) && (a is null || !a.ContainsKey(key)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsEmpty(JsonNode? node) => node is null or JsonObject { Count: 0 } or JsonArray { Count: 0 };

    private static uint Fnv(uint hash, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= Prime;
        }

        return hash;
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (key, value) in obj.Where(p => !IsEmpty(p.Value)).OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    WriteCanonical(writer, value);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            case null:
                writer.WriteNullValue();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
