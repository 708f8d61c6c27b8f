using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Drover.ControllerRuntime.Health;
using Drover.Operator.Hosting;
using Xunit.Abstractions;

namespace Drover.Scenarios.Packaging;

/// <summary>
/// The NativeAOT binary <c>make publish</c> leaves in artifacts/publish/&lt;rid&gt;/drover, started on this machine as
/// one replica of the chart's Deployment: that container's arguments and environment, nothing inherited from the test
/// process, plus a kubeconfig in place of the in-cluster service account.
/// </summary>
internal sealed class PublishedOperator : IAsyncDisposable
{
    private static readonly string[] ListenerFlags = ["--metrics-address", "--health-address"];
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ITestOutputHelper _output;

    private PublishedOperator(Process process, OperatorReplica replica, Uri readiness, ITestOutputHelper output)
    {
        _process = process;
        Replica = replica;
        Readiness = readiness;
        _output = output;
    }

    public static string Rid => RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";

    public static string BinaryPath => Path.Combine(RepositoryLayout.Root, "artifacts", "publish", Rid, "drover");

    public OperatorReplica Replica { get; }

    /// <summary>The readiness probe of the Deployment, pointed at this process.</summary>
    public Uri Readiness { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the process wrote, stdout and stderr, a line each.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>The lines that are JSON log entries (the chart's default log format).</summary>
    public IReadOnlyList<JsonObject> LogEntries => [.. _lines.Where(l => l.StartsWith('{')).Select(ParseEntry).OfType<JsonObject>()];

    public static PublishedOperator Start(OperatorReplica replica, string kubeconfig, ITestOutputHelper output)
    {
        var start = new ProcessStartInfo(BinaryPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // A pod's root filesystem is read-only with a writable /tmp; a fresh temporary directory stands in for both.
            WorkingDirectory = Directory.CreateTempSubdirectory("drover-replica-").FullName,
        };

        // The container's listeners, moved to free loopback ports: every replica on this one machine would otherwise
        // bind the same :8080 and :8081 (and collide with whatever else runs here). Only the address changes, and the
        // readiness probe follows the port it named.
        var localPorts = new Dictionary<int, int>();
        var args = replica.Args.ToList();
        for (var i = 0; i < args.Count; i++)
        {
            foreach (var flag in ListenerFlags)
            {
                var joined = args[i].StartsWith(flag + "=", StringComparison.Ordinal);
                var separate = args[i] == flag && i + 1 < args.Count;
                if (!joined && !separate)
                {
                    continue;
                }

                var valueIndex = joined ? i : i + 1;
                var address = joined ? args[i][(flag.Length + 1)..] : args[i + 1];
                if (address.Length == 0)
                {
                    continue;
                }

                Assert.True(ListenAddress.TryParse(address, out var parsed), $"{flag} {address} is not an address the binary reads");
                var local = FreeLoopbackPort();
                localPorts[parsed!.Port] = local;
                args[valueIndex] = joined ? $"{flag}=127.0.0.1:{local}" : $"127.0.0.1:{local}";
            }
        }

        // In a pod the service account's token and KUBERNETES_SERVICE_HOST lead the binary to the API server; here it is
        // the kubeconfig of the dev cluster.
        args.Add("--kubeconfig=" + kubeconfig);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        foreach (var (name, value) in replica.Environment)
        {
            start.Environment[name] = value;
        }

        Assert.True(
            localPorts.TryGetValue(replica.ReadinessContainerPort, out var probePort),
            $"the readiness probe targets container port {replica.ReadinessContainerPort}, but the binary is told to listen on {string.Join(", ", localPorts.Keys)}");
        var process = new Process { StartInfo = start };
        var running = new PublishedOperator(process, replica, new Uri($"http://127.0.0.1:{probePort}{replica.ReadinessPath}"), output);
        process.OutputDataReceived += (_, e) => running.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => running.Collect(e.Data);
        Assert.True(process.Start(), $"could not start {BinaryPath}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output.WriteLine($"started {replica.PodName}: {BinaryPath} {string.Join(' ', args)}");
        output.WriteLine($"  environment: {string.Join(' ', replica.Environment.Select(e => $"{e.Key}={e.Value}"))}");
        return running;
    }

    /// <summary>Whether the readiness probe answers 200 now.</summary>
    public async Task<bool> IsReadyAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync(Readiness);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>The log entries at <paramref name="levels"/>, as text for an assertion message.</summary>
    public IReadOnlyList<string> EntriesAt(params string[] levels) =>
        [.. LogEntries.Where(e => levels.Contains((string?)e["LogLevel"])).Select(e => e.ToJsonString())];

    /// <summary>Sends SIGTERM, as the kubelet does when it stops a pod, and waits up to the grace period for the exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }

        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(Replica.TerminationGracePeriodSeconds));
        try
        {
            await _process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Replica.PodName} did not exit within its {Replica.TerminationGracePeriodSeconds}s grace period after SIGTERM");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _output.WriteLine($"--- {Replica.PodName} (exit {_process.ExitCode}) ---");
        foreach (var line in _lines)
        {
            _output.WriteLine(line);
        }

        Directory.Delete(_process.StartInfo.WorkingDirectory, recursive: true);
        _process.Dispose();
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }

    private static JsonObject? ParseEntry(string line)
    {
        try
        {
            return JsonNode.Parse(line) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
