using System.Net;
using System.Net.Sockets;

namespace Drover.Bench;

internal static class LoopbackPort
{
    /// <summary>A port free on 127.0.0.1 right now, for a child process that takes its ports as flags.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
