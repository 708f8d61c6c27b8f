using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Drover.DevCluster;
using Drover.Operator;
using Drover.Scenarios.Support;
using Xunit.Abstractions;

namespace Drover.Scenarios.Hosting;

/// <summary>
/// drover run as a process meets its environment: an API server that is not there, a port someone else holds, and
/// Ctrl-C or SIGTERM. Each answer is a line a person can act on and an exit code a script can.
/// </summary>
public sealed class RunProcessTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("drover-run-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A kubeconfig naming a loopback port nothing listens on, as a dev cluster's leaves behind when it stops.</summary>
    private string StaleKubeconfig()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        listener.Dispose();
        return Kubeconfig.Write(Path.Combine(_directory, "stale.kubeconfig"), new Uri($"http://127.0.0.1:{port}"));
    }

    private static (int Exit, string Output, string Error) Drover(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = DroverCommands.Invoke(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Against_an_unreachable_API_server_it_says_so_once_per_attempt_and_exits_1_after_the_startup_timeout()
    {
        var kubeconfig = StaleKubeconfig();
        var clock = Stopwatch.StartNew();

        var (exit, _, error) = Drover("run", "--kubeconfig", kubeconfig, "--startup-timeout", "3s", "--metrics-address", "", "--health-address", "");

        Assert.Equal(1, exit);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(20));
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        output.WriteLine(error);
        Assert.All(lines, line => Assert.StartsWith("drover run: ", line, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.True(lines.Length >= 3, error);
        Assert.All(lines[..^1], line => Assert.Matches(@"cannot reach the API server at http://127\.0\.0\.1:\d+: Connection refused .*; retrying in [\d.]+m?s$", line));
        Assert.Contains("did not answer within 3s", lines[^1], StringComparison.Ordinal);
        Assert.Contains("--startup-timeout", lines[^1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--metrics-address", "DROVER_METRICS_ADDRESS")]
    [InlineData("--health-address", "DROVER_HEALTH_ADDRESS")]
    public void A_listen_address_in_use_is_one_line_naming_the_flag_to_change(string flag, string variable)
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var taken = $"127.0.0.1:{((IPEndPoint)holder.LocalEndpoint).Port}";
        var other = flag == "--metrics-address" ? "--health-address" : "--metrics-address";

        var (exit, _, error) = Drover("run", "--kubeconfig", StaleKubeconfig(), flag, taken, other, "127.0.0.1:0");

        Assert.Equal(2, exit);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"drover run: {taken} is already in use by another process; choose another port with {flag} ({variable}), or \"\" to turn that listener off.", line);
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task A_running_operator_stopped_with_a_signal_exits_0(string signal)
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        var kubeconfig = scenario.Server.WriteKubeconfig(Path.Combine(_directory, "kubeconfig"));
        using var drover = DroverProcess.Start(output, "run", "--kubeconfig", kubeconfig, "--log-format", "text", "--metrics-address", "127.0.0.1:0", "--health-address", "127.0.0.1:0");

        await drover.WaitForLineAsync("informers synced");
        Assert.Equal(0, await drover.StopAsync(signal));
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task An_operator_still_waiting_for_its_API_server_stopped_with_a_signal_exits_0(string signal)
    {
        using var drover = DroverProcess.Start(output, "run", "--kubeconfig", StaleKubeconfig(), "--startup-timeout", "0", "--metrics-address", "", "--health-address", "");

        await drover.WaitForLineAsync("cannot reach the API server");
        Assert.Equal(0, await drover.StopAsync(signal));
    }

    /// <summary>The drover binary built beside the tests, run as its own process.</summary>
    private sealed class DroverProcess : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly ITestOutputHelper _output;

        private DroverProcess(Process process, ITestOutputHelper output)
        {
            _process = process;
            _output = output;
        }

        public static DroverProcess Start(ITestOutputHelper output, params string[] args)
        {
            // Through env, which execs drover in its own process: a test run started in the background inherits
            // SIGINT ignored (as nohup does), and drover rightly keeps an inherited ignore, so the Ctrl-C case would test
            // nothing. drover starts with SIGINT at its default, as under a terminal or a container runtime.
            var start = new ProcessStartInfo("env")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("--default-signal=INT");
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "drover"));
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment.Remove("KUBECONFIG");
            var process = new Process { StartInfo = start };
            var drover = new DroverProcess(process, output);
            process.OutputDataReceived += (_, e) => drover.Take(e.Data);
            process.ErrorDataReceived += (_, e) => drover.Take(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return drover;
        }

        private void Take(string? line)
        {
            if (line is not null)
            {
                _lines.Enqueue(line);
            }
        }

        public async Task WaitForLineAsync(string text)
        {
            await Eventually.TrueAsync(
                () => Task.FromResult(_lines.Any(l => l.Contains(text, StringComparison.Ordinal)) || _process.HasExited),
                $"drover to print \"{text}\"",
                TimeSpan.FromSeconds(30),
                () => string.Join('\n', _lines));
            Assert.False(_process.HasExited, "drover exited early:\n" + string.Join('\n', _lines));
        }

        /// <returns>The exit code after <c>kill -SIGNAL</c>.</returns>
        public async Task<int> StopAsync(string signal)
        {
            using (var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await _process.WaitForExitAsync(deadline.Token);
            foreach (var line in _lines)
            {
                _output.WriteLine(line);
            }

            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }
    }
}
