using System.Globalization;
using System.Net;

namespace Drover.Gateway.Hosting;

/// <summary>A <c>[host]:port</c> listen address as Kubernetes components take it: <c>:8090</c> means every interface.</summary>
internal sealed record ListenAddress(IPAddress Address, int Port)
{
    public static bool TryParse(string text, out ListenAddress? address)
    {
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
}
