using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Drover.Gateway.Hosting;
using StackExchange.Redis;

namespace Drover.Gateway.Tests.Support;

/// <summary>How a test's redis-server is secured: plain TCP, or TLS with a password and maybe client certificates.</summary>
/// <param name="Tls">TLS only (no plain port), with a certificate for 127.0.0.1 and localhost from a CA made for the test.</param>
/// <param name="Password">What <c>requirepass</c> asks for; null asks for none.</param>
/// <param name="ClientCertificates">Whether Redis asks clients for a certificate from that CA (<c>tls-auth-clients yes</c>).</param>
internal sealed record RedisSecurity(bool Tls = false, string? Password = null, bool ClientCertificates = false)
{
    public static readonly RedisSecurity None = new();

    /// <summary>What an in-cluster Redis with a cert-manager certificate runs: TLS from a private CA and a password.</summary>
    public static readonly RedisSecurity TlsWithPassword = new(Tls: true, Password: "s3cret-redis-password");

    /// <summary>Also asking the gateway for a client certificate.</summary>
    public static readonly RedisSecurity MutualTlsWithPassword = TlsWithPassword with { ClientCertificates = true };
}

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, started for one test and killed after it. It writes every
/// command to its append-only file before answering, so a server killed and started again on the same directory
/// comes back with what it had, as a persistent Redis in a cluster does. Without the binary the test fails, saying
/// how to install it (CI installs it). With <see cref="RedisSecurity"/> it serves TLS only, from a CA made for the test
/// (its PEM files in <see cref="CaPath"/> and beside it), and asks for a password.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    /// <summary>The tests that run redis-server, one at a time: the Redis metrics they check are the process's.</summary>
    public const string Collection = "redis-server";

    private readonly string _directory = Directory.CreateTempSubdirectory("drover-redis-").FullName;
    private readonly TestCertificateAuthority? _authority;
    private readonly (string Certificate, string Key) _serverCertificate;
    private Process? _process;

    private RedisServer(int port, RedisSecurity security)
    {
        Port = port;
        Security = security;
        if (security.Tls || security.ClientCertificates)
        {
            _authority = TestCertificateAuthority.Create("drover-test-redis-ca");
            CaPath = _authority.WriteCertificate(Path.Combine(_directory, "ca.crt"));
            _serverCertificate = _authority.IssueServer(_directory, "redis");
            (ClientCertificatePath, ClientKeyPath) = _authority.IssueClient(_directory, "drover-gateway");
        }
    }

    public int Port { get; }

    public RedisSecurity Security { get; }

    public string Address => $"127.0.0.1:{Port}";

    /// <summary>The PEM certificate of the CA that issued Redis's certificate (with TLS).</summary>
    public string? CaPath { get; }

    /// <summary>A client certificate and key from that CA (with TLS).</summary>
    public string? ClientCertificatePath { get; }

    public string? ClientKeyPath { get; }

    /// <summary>The flags of a gateway set up for this server, as its operator would give them.</summary>
    public IReadOnlyList<string> GatewayFlags
    {
        get
        {
            var flags = new List<string> { "--redis", Address };
            if (CaPath is not null)
            {
                flags.AddRange(["--redis-ca", CaPath]);
            }

            if (Security.ClientCertificates)
            {
                flags.AddRange(["--redis-client-cert", ClientCertificatePath!, "--redis-client-key", ClientKeyPath!]);
            }

            return flags;
        }
    }

    public static async Task<RedisServer> StartAsync(RedisSecurity? security = null)
    {
        var server = new RedisServer(FreePort(), security ?? RedisSecurity.None);
        try
        {
            await server.RestartAsync();
        }
        catch
        {
            // A server that never answered is still running: the caller never gets it to dispose.
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>
    /// The configuration the gateway connects with, from <paramref name="flags"/> (else <see cref="GatewayFlags"/>) and
    /// DROVER_GATEWAY_REDIS_PASSWORD <paramref name="password"/> (else the server's); it keeps retrying every 100 ms
    /// while the server is down or refuses it. Commands may take 5 s, not the gateway's 1: on a loaded test machine
    /// 100 callers' scripts can queue past a second, and a test wants no fall back it did not cause.
    /// </summary>
    public ConfigurationOptions Options(IReadOnlyList<string>? flags = null, string? password = null)
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal) { [RedisConnection.PasswordVariable] = password ?? Security.Password };
        var gateway = GatewayOptions.Parse(flags ?? GatewayFlags, name => variables.GetValueOrDefault(name), out var error, out _)
            ?? throw new InvalidOperationException($"the gateway refused its flags: {error}");
        var options = RedisConnection.Options(gateway, name => variables.GetValueOrDefault(name))!;
        options.ConnectRetry = 1;
        options.ReconnectRetryPolicy = new LinearRetry(100);
        options.AsyncTimeout = options.SyncTimeout = 5000;
        return options;
    }

    /// <summary>A connection made with <see cref="Options"/>.</summary>
    public ConnectionMultiplexer Connect(IReadOnlyList<string>? flags = null, string? password = null) => ConnectionMultiplexer.Connect(Options(flags, password));

    /// <summary>Starts the server (again), on the same port and data, and waits until it answers.</summary>
    public async Task RestartAsync()
    {
        var binary = Locate() ?? throw new InvalidOperationException(
            "redis-server is not installed; these tests need a real one: apt-get install -y redis-server (the Debian package; .ci/run installs it).");
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        var port = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var args = new List<string> { "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", _directory, "--protected-mode", "no" };
        args.AddRange(_authority is null
            ? ["--port", port]
            : ["--port", "0", "--tls-port", port, "--tls-cert-file", _serverCertificate.Certificate, "--tls-key-file", _serverCertificate.Key,
                "--tls-ca-cert-file", CaPath!, "--tls-auth-clients", Security.ClientCertificates ? "yes" : "no"]);
        if (Security.Password is { } password)
        {
            args.AddRange(["--requirepass", password]);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Eventually.TrueAsync(AnswersAsync, $"redis-server on port {Port} to answer", TimeSpan.FromSeconds(20));
    }

    /// <summary>Kills the server at once (SIGKILL): connections drop, nothing is shut down cleanly.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _authority?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string? Locate() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/bin").Append("/usr/sbin")
            .Select(d => Path.Combine(d, "redis-server")).FirstOrDefault(File.Exists);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Whether the server answers PING, with +PONG or, asking for a password, -NOAUTH: either way it serves.</summary>
    private async Task<bool> AnswersAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            Stream stream = client.GetStream();
            if (_authority is not null)
            {
                var tls = new SslStream(stream);
                stream = tls;
                await tls.AuthenticateAsClientAsync(new RedisTls(CaPath, ClientCertificatePath, ClientKeyPath).Authentication("127.0.0.1", SslProtocols.None, checkRevocation: false));
            }

            await using (stream)
            {
                await stream.WriteAsync("PING\r\n"u8.ToArray());
                var buffer = new byte[16];
                var read = await stream.ReadAsync(buffer);
                return read >= 5 && (buffer[0] == (byte)'+' || buffer.AsSpan(0, read).StartsWith("-NOAUTH"u8));
            }
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
        catch (AuthenticationException)
        {
            return false;
        }
    }
}

[CollectionDefinition(RedisServer.Collection)]
public sealed class UsesRedisServer;
