using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Drover.ControllerRuntime.Tests.Client;

/// <summary>
/// A minimal HTTP proxy: <c>CONNECT host:port</c> opens a tunnel (what clients do for https targets), and an
/// absolute-form request (<c>GET http://host:port/path</c>, for http targets) is forwarded as it is. It records the
/// request line and the proxy credentials of each client.
/// </summary>
public sealed class ConnectProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public ConnectProxy()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>The first line of each request the proxy received, e.g. <c>CONNECT localhost:1234 HTTP/1.1</c>.</summary>
    public ConcurrentQueue<string> RequestLines { get; } = new();

    /// <summary>Proxy-Authorization values received.</summary>
    public ConcurrentQueue<string> ProxyAuthorizations { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream);
                var lines = Encoding.ASCII.GetString(head).Split("\r\n");
                RequestLines.Enqueue(lines[0]);
                foreach (var line in lines.Where(l => l.StartsWith("Proxy-Authorization:", StringComparison.OrdinalIgnoreCase)))
                {
                    ProxyAuthorizations.Enqueue(line["Proxy-Authorization:".Length..].Trim());
                }

                var parts = lines[0].Split(' ');
                var target = parts[0] == "CONNECT" ? parts[1] : new Uri(parts[1]).Authority;
                var colon = target.LastIndexOf(':');
                using var upstream = new TcpClient();
                await upstream.ConnectAsync(target[..colon], int.Parse(target[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture), _stop.Token);
                var upstreamStream = upstream.GetStream();
                if (parts[0] == "CONNECT")
                {
                    await stream.WriteAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray(), _stop.Token);
                }
                else
                {
                    await upstreamStream.WriteAsync(head, _stop.Token);
                }

                await Task.WhenAny(stream.CopyToAsync(upstreamStream, _stop.Token), upstreamStream.CopyToAsync(stream, _stop.Token));
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>Reads up to and including the blank line that ends the request head, one byte at a time, so nothing after it is consumed.</summary>
    private async Task<byte[]> ReadHeadAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || head[^4] != '\r' || head[^3] != '\n' || head[^2] != '\r' || head[^1] != '\n')
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0)
            {
                throw new IOException("the client closed before sending a request");
            }

            head.Add(one[0]);
        }

        return [.. head];
    }
}
