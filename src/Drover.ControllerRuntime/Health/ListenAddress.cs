using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Drover.ControllerRuntime.Health;

/// <summary>A <c>[host]:port</c> listen address as Kubernetes components take it: <c>:8080</c> means every interface. The operator and the gateway read their listener flags with it.</summary>
public sealed record ListenAddress(IPAddress Address, int Port)
{
    public static bool TryParse(string text, out ListenAddress? address)
    {
        ArgumentNullException.ThrowIfNull(text);
        address = null;
        var colon = text.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return false;
        }

        var host = text[..colon].Trim('[', ']');
        IPAddress ip;
        if (host.Length == 0 || host == "0.0.0.0")
        {
            ip = IPAddress.Any;
        }
        else if (host == "localhost")
        {
            ip = IPAddress.Loopback;
        }
        else if (!IPAddress.TryParse(host, out ip!))
        {
            return false;
        }

        address = new ListenAddress(ip, port);
        return true;
    }

    /// <summary>
    /// Whether another process already listens here, found by binding and releasing it: so a command can say
    /// which flag to change before the web host fails with a stack trace. Port 0 (any free port) is never taken.
    /// </summary>
    public bool IsTaken()
    {
        if (Port == 0)
        {
            return false;
        }

        var probe = new TcpListener(Address, Port);
        try
        {
            probe.Start();
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return true;
        }
        finally
        {
            probe.Stop();
            probe.Dispose();
        }
    }
}
