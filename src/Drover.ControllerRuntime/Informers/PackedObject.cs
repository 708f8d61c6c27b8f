using System.Buffers;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Drover.ControllerRuntime.Informers;

/// <summary>
/// A cached object kept as Brotli-compressed JSON instead of a typed object graph. A typed Kubernetes object takes
/// several times the memory of its JSON (UTF-16 strings, a dictionary per label set, a class per nested field, most
/// of them null), and its JSON compresses several times over, so a packed cache is an order of magnitude smaller.
/// Each read costs a decompress and a deserialise, tens of microseconds for a typical child object.
/// </summary>
internal sealed class PackedObject
{
    // Quality 1 is the fastest setting and still several times smaller; a 64 KB window covers any object we cache.
    private const int Quality = 1;
    private const int Window = 16;

    private readonly byte[] _data;
    private readonly int _length;

    private PackedObject(byte[] data, int length, string? resourceVersion)
    {
        _data = data;
        _length = length;
        ResourceVersion = resourceVersion;
    }

    /// <summary>Kept unpacked: the informer compares it on every event to drop repeats.</summary>
    public string? ResourceVersion { get; }

    /// <summary>
    /// A reader's note about this very version (<see cref="InformerCache{T}.SetMark"/>), 0 for none. It goes with the
    /// version: the next version of the object is a new <see cref="PackedObject"/>.
    /// </summary>
    public ulong Mark { get; set; }

    public int PackedBytes => _data.Length;

    public static PackedObject Pack<T>(T obj, string? resourceVersion, JsonTypeInfo<T> typeInfo)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(obj, typeInfo);
        var buffer = ArrayPool<byte>.Shared.Rent(BrotliEncoder.GetMaxCompressedLength(json.Length));
        try
        {
            if (!BrotliEncoder.TryCompress(json, buffer, out var written, Quality, Window))
            {
                throw new InvalidOperationException($"Could not compress a {json.Length}-byte object for the cache.");
            }

            return new PackedObject(buffer.AsSpan(0, written).ToArray(), json.Length, resourceVersion);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public T Unpack<T>(JsonTypeInfo<T> typeInfo)
    {
        var json = ArrayPool<byte>.Shared.Rent(_length);
        try
        {
            if (!BrotliDecoder.TryDecompress(_data, json, out var written) || written != _length)
            {
                throw new InvalidOperationException("A cached object did not decompress to its recorded length.");
            }

            return JsonSerializer.Deserialize(json.AsSpan(0, _length), typeInfo) ?? throw new InvalidOperationException("A cached object unpacked to null.");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(json);
        }
    }
}
