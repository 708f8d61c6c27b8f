using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using StackExchange.Redis;

namespace Drover.Gateway.Admission;

/// <summary>
/// Why Redis cannot be used, found by asking it. StackExchange.Redis reports a connection's last error, which after a
/// refused TLS handshake or password is as often the teardown that followed (a disposed socket, a cancelled connect)
/// as the cause. So one connection of its own, made as the gateway's are (the first endpoint, the same TLS options and
/// server name, the same user and password), goes step by step and says which step fails: connecting, the TLS
/// handshake (Redis's certificate, or Redis refusing this gateway's), or the password. A Redis that is refusing this
/// gateway does not heal by waiting, so the answer names what to fix.
/// </summary>
internal sealed class RedisDiagnosis(ConfigurationOptions configuration)
{
    /// <summary>The cause of <paramref name="failure"/> in a sentence; its own message when every step succeeds now.</summary>
    public async Task<string> ExplainAsync(Exception failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failure);
        if (configuration.EndPoints.FirstOrDefault() is not { } endpoint)
        {
            return failure.Message;
        }

        var (host, port) = endpoint switch
        {
            DnsEndPoint dns => (dns.Host, dns.Port),
            IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            _ => (endpoint.ToString() ?? "", 0),
        };
        var where = $"Redis at {host}:{port}";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromMilliseconds(configuration.ConnectTimeout + configuration.AsyncTimeout));
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, port, deadline.Token);
        }
        catch (SocketException e)
        {
            return $"{where} cannot be reached: {e.Message}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"{where} did not accept a connection within {configuration.ConnectTimeout} ms";
        }

        await using var network = client.GetStream();
        SslStream? tls = null;
        try
        {
            if (configuration.Ssl)
            {
                tls = new SslStream(network, leaveInnerStreamOpen: true);
                try
                {
                    if (await HandshakeAsync(tls, host, where, deadline.Token) is { } refused)
                    {
                        return refused;
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return $"{where} did not complete a TLS handshake in time: if it does not serve TLS on this port, drop ssl=true and --redis-ca";
                }
            }

            string reply;
            try
            {
                Stream stream = tls is null ? network : tls;
                await stream.WriteAsync(Command(), deadline.Token);
                reply = await ReadLineAsync(stream, deadline.Token);
            }
            catch (Exception e) when (e is IOException or AuthenticationException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Closed (or a TLS alert) before a whole line came back.
                reply = "";
            }

            return reply switch
            {
                "" when configuration.Ssl => $"{where} closed the connection after the TLS handshake: it may ask for a client certificate this gateway does not have or that it does not trust (--redis-client-cert, --redis-client-key)",
                "" => $"{where} closed the connection without answering: if it serves TLS only, add ssl=true or --redis-ca",
                _ when reply.StartsWith("-NOAUTH", StringComparison.Ordinal) => $"authentication failed: {where} asks for a password and none is set ({Hosting.RedisConnection.PasswordVariable}): {reply[1..]}",
                _ when reply.StartsWith('-') && configuration.Password is not null => $"authentication failed: {where} refused the password ({Hosting.RedisConnection.PasswordVariable}): {reply[1..]}",
                _ when reply.StartsWith('-') => $"{where} answered PING with an error: {reply[1..]}",
                _ when reply.StartsWith('+') => failure.Message,
                _ => $"{where} does not speak Redis's protocol on this port: if it serves TLS only, add ssl=true or --redis-ca",
            };
        }
        finally
        {
            if (tls is not null)
            {
                await tls.DisposeAsync();
            }
        }
    }

    /// <summary>The TLS handshake as the gateway's connections make it: null when it succeeds, else why not.</summary>
    private async Task<string?> HandshakeAsync(SslStream tls, string host, string where, CancellationToken cancellationToken)
    {
        var serverName = string.IsNullOrWhiteSpace(configuration.SslHost) ? host : configuration.SslHost;
        try
        {
            await tls.AuthenticateAsClientAsync(
                configuration.SslClientAuthenticationOptions?.Invoke(serverName) ?? new SslClientAuthenticationOptions
                {
                    TargetHost = serverName,
                    EnabledSslProtocols = configuration.SslProtocols ?? SslProtocols.None,
                    CertificateRevocationCheckMode = configuration.CheckCertificateRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck,
                },
                cancellationToken);
            return null;
        }
        catch (AuthenticationException e)
        {
            return $"the TLS handshake with {where} failed: {e.Message}{CertificateHint(e.Message)}";
        }
        catch (IOException e)
        {
            return $"the TLS handshake with {where} did not complete ({e.Message}): if it does not serve TLS on this port, drop ssl=true and --redis-ca";
        }
    }

    /// <summary>AUTH as the gateway sends it (with its user, if any), or PING without a password; neither changes anything.</summary>
    private ReadOnlyMemory<byte> Command()
    {
        string[] words = configuration.Password is not { } password ? ["PING"]
            : configuration.User is { } user ? ["AUTH", user, password]
            : ["AUTH", password];
        var command = new StringBuilder().Append('*').Append(words.Length).Append("\r\n");
        foreach (var word in words)
        {
            command.Append('$').Append(Encoding.UTF8.GetByteCount(word)).Append("\r\n").Append(word).Append("\r\n");
        }

        return Encoding.UTF8.GetBytes(command.ToString());
    }

    /// <summary>The first line of Redis's answer, without its CRLF; empty when the connection closed first.</summary>
    private static async Task<string> ReadLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[512];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                break;
            }

            length += read;
            var end = buffer.AsSpan(0, length).IndexOf("\r\n"u8);
            if (end >= 0)
            {
                return Encoding.UTF8.GetString(buffer, 0, end);
            }
        }

        return length == 0 ? "" : Encoding.UTF8.GetString(buffer, 0, length);
    }

    private static string CertificateHint(string message) =>
        message.Contains("UntrustedRoot", StringComparison.Ordinal) || message.Contains("PartialChain", StringComparison.Ordinal)
            ? " (Redis's certificate is not issued by a CA this gateway trusts: give that CA's bundle with --redis-ca, in the chart gateway.redis.caSecret)"
            : message.Contains("RemoteCertificateNameMismatch", StringComparison.Ordinal)
                ? " (Redis's certificate does not name the host in --redis: connect by a name it carries, or add sslHost=<that name> to --redis)"
                : message.Contains("NotTimeValid", StringComparison.Ordinal)
                    ? " (Redis's certificate has expired or is not valid yet)"
                    : message.Contains("TLS alert", StringComparison.Ordinal)
                        ? " (Redis ended the handshake: it may ask for a client certificate, --redis-client-cert and --redis-client-key, or for TLS versions this gateway does not offer)"
                        : "";
}
