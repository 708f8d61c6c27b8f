using System.Buffers;
using System.Diagnostics;
using System.Net.Http.Headers;
using Drover.GatewayBench.Paths;

namespace Drover.GatewayBench.Load;

/// <summary>
/// Sends chat completions along one path and reads each answer to its end. An answer counts only when it is a 200
/// whose body is a whole completion: a JSON body with usage, or a stream ending in <c>data: [DONE]</c>.
/// </summary>
internal sealed class PathClient : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly byte[] Done = "data: [DONE]"u8.ToArray();
    private static readonly byte[] UsageField = "\"completion_tokens\""u8.ToArray();

    private readonly HttpClient _http;

    public PathClient(BenchPath path, int maxConnections)
    {
        ArgumentNullException.ThrowIfNull(path);
        Path = path;
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public BenchPath Path { get; }

    public async Task<CallOutcome> CallAsync(ReadOnlyMemory<byte> body, bool stream, CancellationToken cancellationToken)
    {
        var sent = Stopwatch.GetTimestamp();
        long firstByte = 0;
        var status = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Path.ChatUrl) { Content = new ReadOnlyMemoryContent(body) };
            request.Content.Headers.ContentType = Json;
            foreach (var (name, value) in Path.Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            status = (int)response.StatusCode;
            await using var content = await response.Content.ReadAsStreamAsync(cancellationToken);

            // JSON: the whole body is kept (a few KB) to find its usage. Stream: only the tail, to find [DONE].
            var kept = 0;
            var tail = new byte[32];
            var tailLength = 0;
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(stream ? 0 : kept, buffer.Length - (stream ? 0 : kept)), cancellationToken)) > 0)
            {
                if (firstByte == 0)
                {
                    firstByte = Stopwatch.GetTimestamp();
                }

                if (stream)
                {
                    tailLength = KeepTail(tail, tailLength, buffer.AsSpan(0, read));
                }
                else
                {
                    kept += read;
                    if (kept == buffer.Length)
                    {
                        return new CallOutcome(sent, firstByte, Stopwatch.GetTimestamp(), status, "body larger than 16 KB");
                    }
                }
            }

            var finished = Stopwatch.GetTimestamp();
            if (status != 200)
            {
                return new CallOutcome(sent, firstByte, finished, status, "status " + status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            var whole = stream
                ? tail.AsSpan(0, tailLength).TrimEnd("\r\n "u8).EndsWith(Done)
                : buffer.AsSpan(0, kept).IndexOf(UsageField) >= 0;
            return new CallOutcome(sent, firstByte, finished, status, whole ? null : stream ? "stream without [DONE]" : "body without usage");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new CallOutcome(sent, firstByte, Stopwatch.GetTimestamp(), status, "timed out");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return new CallOutcome(sent, firstByte, Stopwatch.GetTimestamp(), status, e is HttpRequestException { HttpRequestError: var kind } ? "connection: " + kind : "connection: broken");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Keeps the last bytes seen in <paramref name="tail"/>; returns how many it holds.</summary>
    internal static int KeepTail(byte[] tail, int length, ReadOnlySpan<byte> chunk)
    {
        if (chunk.Length >= tail.Length)
        {
            chunk[^tail.Length..].CopyTo(tail);
            return tail.Length;
        }

        var keep = Math.Min(length, tail.Length - chunk.Length);
        tail.AsSpan(length - keep, keep).CopyTo(tail);
        chunk.CopyTo(tail.AsSpan(keep));
        return keep + chunk.Length;
    }
}
