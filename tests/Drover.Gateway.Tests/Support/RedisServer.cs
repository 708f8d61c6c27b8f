using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Drover.Gateway.Tests.Support;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, started for one test and killed after it. It writes every
/// command to its append-only file before answering, so a server killed and started again on the same directory
/// comes back with what it had, as a persistent Redis in a cluster does. Without the binary the test fails, saying
/// how to install it (CI installs it).
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    /// <summary>The tests that run redis-server, one at a time: the Redis metrics they check are the process's.</summary>
    public const string Collection = "redis-server";

    private readonly string _directory = Directory.CreateTempSubdirectory("drover-redis-").FullName;
    private Process? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(FreePort());
        await server.RestartAsync();
        return server;
    }

    /// <summary>A connection that keeps retrying while the server is down and answers (or fails) within a second.</summary>
    public ConnectionMultiplexer Connect()
    {
        var options = Drover.Gateway.Hosting.RedisConnection.Options(Address, null);
        options.ConnectRetry = 1;
        options.ReconnectRetryPolicy = new LinearRetry(100);
        return ConnectionMultiplexer.Connect(options);
    }

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
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", _directory, "--protected-mode", "no" })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Eventually.TrueAsync(() => Task.FromResult(Answers()), $"redis-server on port {Port} to answer", TimeSpan.FromSeconds(20));
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

    private bool Answers()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            using var stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            var buffer = new byte[16];
            var read = stream.Read(buffer, 0, buffer.Length);
            return read >= 5 && buffer[0] == (byte)'+';
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}

[CollectionDefinition(RedisServer.Collection)]
public sealed class UsesRedisServer;
