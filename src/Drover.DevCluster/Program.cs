using System.Globalization;
using System.Runtime.InteropServices;
using Drover.DevCluster;

var port = 6443;
var kubeconfig = Path.Combine(".kube", "dev-cluster.kubeconfig");
var simulateKubelet = false;
var logRequests = false;
var tls = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port" when i + 1 < args.Length:
            port = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--kubeconfig" when i + 1 < args.Length:
            kubeconfig = args[++i];
            break;
        case "--simulate-kubelet":
            simulateKubelet = true;
            break;
        case "--log-requests":
            logRequests = true;
            break;
        case "--tls":
            tls = true;
            break;
        default:
            Console.Error.WriteLine("usage: Drover.DevCluster [--port 6443] [--kubeconfig path] [--simulate-kubelet] [--log-requests] [--tls]");
            return 2;
    }
}

using var stop = new CancellationTokenSource();

// Ctrl-C in a terminal, SIGTERM from a script or a process supervisor: both stop the server the same clean way.
void Stop(PosixSignalContext signal)
{
    signal.Cancel = true;
    stop.Cancel();
}

using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

await using var server = await DevClusterServer.StartAsync(new DevClusterOptions { Port = port, SimulateKubelet = simulateKubelet, LogRequests = logRequests, Tls = tls }, stop.Token);
var written = server.WriteKubeconfig(kubeconfig);
Console.WriteLine($"dev cluster serving on {server.BaseAddress}");
Console.WriteLine($"kubeconfig: {written}  (export KUBECONFIG={written})");
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    Console.WriteLine("stopping");
}

return 0;
